use sea_orm::entity::prelude::*;

/// Two initiatives judged to be one partnership: proposed by `tenant_id` for its
/// `initiative_id`, about `other_initiative_id` of `other_tenant_id` (the same tenant, or
/// another). `status` is `proposed`, `confirmed` or `rejected`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duplicate_link")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub initiative_id: Uuid,
    pub other_tenant_id: Uuid,
    pub other_initiative_id: Uuid,
    pub confirmed_by_tenant: bool,
    pub confirmed_by_other: bool,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
