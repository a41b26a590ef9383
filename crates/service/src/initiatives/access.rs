//! Finding an initiative the caller may read or change, and marking it changed.

use chrono::Utc;
use entity::{enums::Role, initiative};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{Caller, Principal, error::ServiceResult, tenancy};

/// The initiative, if the caller may read it (own tenant, or public); else `NotFound`
/// (`tenancy::readable`).
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<initiative::Model> {
    tenancy::readable(caller, initiative::Entity::find_by_id(id).one(db).await?)
}

/// The initiative and the principal, if the caller may change it (`tenancy::writable`): 401
/// without a token, 404 when it cannot be read, 403 for another tenant's public one or a role
/// below editor.
pub async fn writable<'c, C: ConnectionTrait>(
    db: &C,
    caller: &'c Caller,
    id: Uuid,
) -> ServiceResult<(initiative::Model, &'c Principal)> {
    let (row, _) = tenancy::writable(caller, initiative::Entity::find_by_id(id).one(db).await?)?;
    let principal = caller.require(Role::Editor)?;
    Ok((row, principal))
}

/// Raises the initiative's version (and `updated_at`) after a change to one of its children,
/// so its ETag changes with what it shows. The increment is atomic: two children written at
/// once both count, and neither is refused for the other.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    initiative_id: Uuid,
    actor: Uuid,
) -> ServiceResult<()> {
    initiative::Entity::update_many()
        .col_expr(
            initiative::Column::Version,
            Expr::col(initiative::Column::Version).add(1),
        )
        .col_expr(initiative::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(initiative::Column::UpdatedBy, Expr::value(Some(actor)))
        .filter(initiative::Column::Id.eq(initiative_id))
        .exec(db)
        .await?;
    Ok(())
}
