//! The child records of an initiative (partners, contributions, agreements, progress reports,
//! lessons): one implementation of list, get, create, update and delete, shared by all five.
//!
//! Each resource describes itself with [`ChildResource`]: its table, its view, its inputs,
//! its checks and what else a write of it changes. The functions here do the rest, the same for
//! every resource: the initiative's access rule (`access::readable` / `access::writable`, then
//! [`tenancy::child_of`] for the rows), the expected version, the version check of the `UPDATE`
//! or `DELETE` itself, and the report of the change to the unit of work
//! ([`write::child_changed`]), which records its history, feed event and webhooks and raises the
//! initiative's version when the unit of work commits.
//!
//! The version a write answers with is the one stored: an update reads its row back from the
//! `UPDATE … RETURNING`, never computes `version + 1` beside it.

use std::future::Future;

use chrono::{DateTime, Utc};
use entity::initiative;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    FromQueryResult, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Value,
    sea_query::{Expr, ExprTrait},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    Caller, EntityKind, Principal, Registry,
    error::{ServiceError, ServiceResult},
    history::{Change, Operation, WriteMeta, snapshot},
    initiatives::access,
    language::LanguageChoice,
    pagination::{Page, PageRequest},
    precondition::{Precondition, expect_version},
    tenancy::{self, Child},
    write::{self, UnitOfWork},
};

/// The columns every child table has besides its tenant and initiative (which
/// [`tenancy::Child`] names).
pub struct Columns<C> {
    pub id: C,
    pub version: C,
    pub created_at: C,
    pub updated_at: C,
}

/// The column type of a resource's table.
pub type Column<R> = <<R as ChildResource>::Entity as EntityTrait>::Column;

/// One kind of child record of an initiative: what differs from one to the next. Everything
/// else (access, versions, the write pipeline) is in this module's functions.
pub trait ChildResource: Send + Sync + 'static {
    type Entity: EntityTrait<Model = Self::Model, ActiveModel = Self::ActiveModel> + Child;
    type Model: FromQueryResult + IntoActiveModel<Self::ActiveModel> + Send + Sync;
    type ActiveModel: ActiveModelTrait<Entity = Self::Entity> + ActiveModelBehavior + Send + Sync;
    /// What the API shows of one record (and what its history snapshots hold).
    type View: Serialize + Send + Sync;
    /// The input of a create.
    type New: Send;
    /// The input of an update: absent fields stay.
    type Patch: Send;
    /// The filters and paging of a list.
    type Query: Send + Sync;

    /// Its kind in history rows, feed events and webhooks.
    const KIND: EntityKind;
    /// Its name in a `NotFound` answer.
    const NAME: &'static str;
    const COLUMNS: Columns<Column<Self>>;

    fn id(view: &Self::View) -> Uuid;
    fn version(view: &Self::View) -> i32;
    /// The initiative a row belongs to.
    fn initiative_of(row: &Self::Model) -> Uuid;

    /// The `page` and `per_page` of a list query.
    fn paging(query: &Self::Query) -> (Option<u64>, Option<u64>);

    /// The `lang` parameter of a list query (resources with translatable texts).
    fn lang(_query: &Self::Query) -> Option<&str> {
        None
    }

    /// A list's own filters.
    fn filter(
        select: Select<Self::Entity>,
        _query: &Self::Query,
    ) -> ServiceResult<Select<Self::Entity>> {
        Ok(select)
    }

    /// A list's order, ending with a unique column so that pages are stable: oldest first
    /// unless the resource says otherwise.
    fn order(select: Select<Self::Entity>) -> Select<Self::Entity> {
        select
            .order_by_asc(Self::COLUMNS.created_at)
            .order_by_asc(Self::COLUMNS.id)
    }

    /// Rows of one initiative as views, with whatever they show of other tables, in the order
    /// given (a row whose related record is missing may be left out).
    fn views<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        rows: Vec<Self::Model>,
    ) -> impl Future<Output = ServiceResult<Vec<Self::View>>> + Send;

    /// Checks a create's input (fields, and anything it names of the initiative) and gives the
    /// row's own columns; the id, tenant, initiative, version and timestamps are set apart.
    fn new_row<C: ConnectionTrait>(
        db: &C,
        initiative: &initiative::Model,
        principal: &Principal,
        input: Self::New,
    ) -> impl Future<Output = ServiceResult<Self::ActiveModel>> + Send;

    /// Checks a patch against the record as it is and gives the columns to change (the version
    /// and `updated_at` are set apart).
    fn patch_row<C: ConnectionTrait>(
        db: &C,
        initiative_id: Uuid,
        before: &Self::View,
        patch: Self::Patch,
    ) -> impl Future<Output = ServiceResult<Self::ActiveModel>> + Send;

    /// Refuses a delete that other records still depend on (409).
    fn before_delete<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        _id: Uuid,
    ) -> impl Future<Output = ServiceResult<()>> + Send {
        async { Ok(()) }
    }

    /// What a write changes beyond the row (search documents, the initiative's own columns),
    /// in the same unit of work; `after` is none after a delete.
    fn after_write<C: ConnectionTrait>(
        _db: &C,
        _initiative_id: Uuid,
        _id: Uuid,
        _after: Option<&Self::View>,
    ) -> impl Future<Output = ServiceResult<()>> + Send {
        async { Ok(()) }
    }

    /// The views in the reader's `choice` (`None`: as recorded), and the language of their
    /// texts for `Content-Language`; `None` for a resource without translatable texts.
    fn localize<C: ConnectionTrait>(
        _db: &C,
        views: Vec<Self::View>,
        _choice: Option<LanguageChoice>,
    ) -> impl Future<Output = ServiceResult<(Vec<Self::View>, Option<String>)>> + Send {
        async { Ok((views, None)) }
    }
}

/// The part of a [`ChildResource`] impl that only names things: the table (`entity::$table`,
/// whose columns `id`, `version`, `created_at` and `updated_at` every child table has), the
/// view (with its `id` and `version`) and the list query (with its `page` and `per_page`).
macro_rules! child_table {
    ($table:ident, view: $View:ty, query: $Query:ty) => {
        type Entity = entity::$table::Entity;
        type Model = entity::$table::Model;
        type ActiveModel = entity::$table::ActiveModel;
        type View = $View;
        type Query = $Query;

        const COLUMNS: $crate::children::Columns<entity::$table::Column> =
            $crate::children::Columns {
                id: entity::$table::Column::Id,
                version: entity::$table::Column::Version,
                created_at: entity::$table::Column::CreatedAt,
                updated_at: entity::$table::Column::UpdatedAt,
            };

        fn id(view: &$View) -> uuid::Uuid {
            view.id
        }

        fn version(view: &$View) -> i32 {
            view.version
        }

        fn initiative_of(row: &entity::$table::Model) -> uuid::Uuid {
            row.initiative_id
        }

        fn paging(query: &$Query) -> (Option<u64>, Option<u64>) {
            (query.page, query.per_page)
        }
    };
}

pub(crate) use child_table;

fn value<T: Into<Value>>(v: T) -> Value {
    v.into()
}

/// The view of one row just read or written.
async fn view_of<R: ChildResource, C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    rows: Vec<R::Model>,
) -> ServiceResult<R::View> {
    R::views(db, initiative_id, rows)
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound { entity: R::NAME })
}

/// One record of the initiative (after the initiative passed its access check), else
/// `NotFound`.
pub(crate) async fn find<R: ChildResource, C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    id: Uuid,
) -> ServiceResult<R::View> {
    let row = R::Entity::find()
        .filter(R::COLUMNS.id.eq(id))
        .filter(tenancy::child_of::<R::Entity>(initiative_id))
        .one(db)
        .await?;
    let Some(row) = row else {
        return Err(ServiceError::NotFound { entity: R::NAME });
    };
    view_of::<R, _>(db, initiative_id, vec![row]).await
}

/// The version stored now, for a conditional write that matched no row: the record changed
/// (or went) between the read and the write.
pub(crate) async fn stale<R: ChildResource, C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceError {
    let current: Result<Option<i32>, _> = R::Entity::find()
        .select_only()
        .column(R::COLUMNS.version)
        .filter(R::COLUMNS.id.eq(id))
        .into_tuple()
        .one(db)
        .await;
    match current {
        Ok(Some(current)) => ServiceError::StaleVersion { current },
        Ok(None) => ServiceError::NotFound { entity: R::NAME },
        Err(err) => err.into(),
    }
}

impl Registry {
    /// The records of one initiative the caller may read, filtered and paged.
    pub async fn list_children<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        query: R::Query,
    ) -> ServiceResult<Page<R::View>> {
        access::readable(self.db(), caller, initiative_id).await?;
        let (page, per_page) = R::paging(&query);
        let request = PageRequest::new(page, per_page, self.settings())?;
        let select = R::filter(
            R::Entity::find().filter(tenancy::child_of::<R::Entity>(initiative_id)),
            &query,
        )?;
        let total = select.clone().count(self.db()).await?;
        let rows = R::order(select)
            .offset(request.offset())
            .limit(request.per_page)
            .all(self.db())
            .await?;
        let items = R::views(self.db(), initiative_id, rows).await?;
        Ok(Page::new(items, request, total))
    }

    /// One record of an initiative the caller may read.
    pub async fn get_child<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<R::View> {
        access::readable(self.db(), caller, initiative_id).await?;
        find::<R, _>(self.db(), initiative_id, id).await
    }

    /// [`Registry::list_children`] in the reader's `choice`, with the language of the page's
    /// texts (`None` for a resource without translatable texts).
    pub async fn list_children_in<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        query: R::Query,
        choice: Option<LanguageChoice>,
    ) -> ServiceResult<(Page<R::View>, Option<String>)> {
        let mut page = self
            .list_children::<R>(caller, initiative_id, query)
            .await?;
        let (items, language) =
            R::localize(self.db(), std::mem::take(&mut page.items), choice).await?;
        page.items = items;
        Ok((page, language))
    }

    /// [`Registry::get_child`] in the reader's `choice`, with the language of its texts.
    pub async fn get_child_in<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        choice: Option<LanguageChoice>,
    ) -> ServiceResult<(R::View, Option<String>)> {
        let view = self.get_child::<R>(caller, initiative_id, id).await?;
        let (views, language) = R::localize(self.db(), vec![view], choice).await?;
        let view = views
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound { entity: R::NAME })?;
        Ok((view, language))
    }

    /// Creates a record of an initiative (editors and above of its tenant), in its own unit of
    /// work.
    pub async fn create_child<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        input: R::New,
        meta: &WriteMeta,
    ) -> ServiceResult<R::View> {
        let uow = self.unit_of_work().await?;
        let view = create_in::<R>(&uow, caller, initiative_id, input, meta).await?;
        uow.commit().await?;
        Ok(view)
    }

    /// Changes a record of an initiative, provided `expected` matches its version, in its own
    /// unit of work.
    pub async fn update_child<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected: Precondition,
        patch: R::Patch,
        meta: &WriteMeta,
    ) -> ServiceResult<R::View> {
        let uow = self.unit_of_work().await?;
        let view = update_in::<R>(&uow, caller, initiative_id, id, expected, patch, meta).await?;
        uow.commit().await?;
        Ok(view)
    }

    /// Deletes a record of an initiative, provided `expected` matches its version.
    pub async fn delete_child<R: ChildResource>(
        &self,
        caller: &Caller,
        initiative_id: Uuid,
        id: Uuid,
        expected: Precondition,
        meta: &WriteMeta,
    ) -> ServiceResult<()> {
        let uow = self.unit_of_work().await?;
        let (initiative, principal) = access::writable(&uow, caller, initiative_id).await?;
        let before = find::<R, _>(&uow, initiative_id, id).await?;
        let version = expect_version(expected, R::version(&before))?;
        R::before_delete(&uow, initiative_id, id).await?;
        let result = R::Entity::delete_many()
            .filter(R::COLUMNS.id.eq(id))
            .filter(R::COLUMNS.version.eq(version))
            .exec(&uow)
            .await?;
        if result.rows_affected != 1 {
            return Err(stale::<R, _>(&uow, id).await);
        }
        R::after_write(&uow, initiative_id, id, None).await?;
        write::child_changed(
            &uow,
            Change {
                tenant_id: initiative.tenant_id,
                initiative_id,
                entity_type: R::KIND,
                entity_id: id,
                operation: Operation::Delete,
                actor: Some(principal.subject),
                meta,
                before: snapshot(&before),
                after: None,
            },
        )
        .await?;
        uow.commit().await?;
        Ok(())
    }
}

/// Creates a record within the unit of work `uow` (the bulk import adds many in one).
pub(crate) async fn create_in<R: ChildResource>(
    uow: &UnitOfWork,
    caller: &Caller,
    initiative_id: Uuid,
    input: R::New,
    meta: &WriteMeta,
) -> ServiceResult<R::View> {
    let (initiative, principal) = access::writable(uow, caller, initiative_id).await?;
    let mut row = R::new_row(uow, &initiative, principal, input).await?;
    let id = Uuid::now_v7();
    let now: DateTime<Utc> = Utc::now();
    let columns = &R::COLUMNS;
    row.try_set(columns.id, value(id))?;
    row.try_set(
        <R::Entity as tenancy::Owned>::tenant_column(),
        value(initiative.tenant_id),
    )?;
    row.try_set(
        <R::Entity as Child>::initiative_column(),
        value(initiative_id),
    )?;
    row.try_set(columns.version, value(1_i32))?;
    row.try_set(columns.created_at, value(now))?;
    row.try_set(columns.updated_at, value(now))?;
    let stored = row.insert(uow).await?;
    let view = view_of::<R, _>(uow, initiative_id, vec![stored]).await?;
    R::after_write(uow, initiative_id, id, Some(&view)).await?;
    write::child_changed(
        uow,
        Change {
            tenant_id: initiative.tenant_id,
            initiative_id,
            entity_type: R::KIND,
            entity_id: id,
            operation: Operation::Create,
            actor: Some(principal.subject),
            meta,
            before: None,
            after: snapshot(&view),
        },
    )
    .await?;
    Ok(view)
}

/// Changes a record within the unit of work `uow` (the bulk import changes many in one). The
/// `UPDATE` is conditioned on the version read, raises it in the database and returns the row
/// as stored, whose version is the one answered.
pub(crate) async fn update_in<R: ChildResource>(
    uow: &UnitOfWork,
    caller: &Caller,
    initiative_id: Uuid,
    id: Uuid,
    expected: Precondition,
    patch: R::Patch,
    meta: &WriteMeta,
) -> ServiceResult<R::View> {
    let (initiative, principal) = access::writable(uow, caller, initiative_id).await?;
    let before = find::<R, _>(uow, initiative_id, id).await?;
    let version = expect_version(expected, R::version(&before))?;
    let mut changes = R::patch_row(uow, initiative_id, &before, patch).await?;
    let columns = &R::COLUMNS;
    changes.try_set(columns.updated_at, value(Utc::now()))?;
    let stored = R::Entity::update_many()
        .set(changes)
        .col_expr(columns.version, Expr::col(columns.version).add(1))
        .filter(columns.id.eq(id))
        .filter(columns.version.eq(version))
        .exec_with_returning(uow)
        .await?;
    if stored.len() != 1 {
        return Err(stale::<R, _>(uow, id).await);
    }
    let after = view_of::<R, _>(uow, initiative_id, stored).await?;
    R::after_write(uow, initiative_id, id, Some(&after)).await?;
    write::child_changed(
        uow,
        Change {
            tenant_id: initiative.tenant_id,
            initiative_id,
            entity_type: R::KIND,
            entity_id: id,
            operation: Operation::Update,
            actor: Some(principal.subject),
            meta,
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    Ok(after)
}
