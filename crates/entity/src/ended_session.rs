use sea_orm::entity::prelude::*;

/// A session ended before its access tokens expire (revoked, or its refresh token reused):
/// tokens carrying `sid` are refused until `expires_at`, after which the row may go.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ended_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sid: Uuid,
    pub subject: Uuid,
    pub tenant_id: Uuid,
    pub ended_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
