use sea_orm::entity::prelude::*;

/// One refresh token of a session (its family). Only the SHA-256 of the token is kept. Using it
/// sets `used_at` and issues the next one in the family; a second use of a spent token ends the
/// whole family (`revoked_at` on every member).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The session: every token rotated from the same sign-in shares it.
    pub family_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    /// The membership's access epoch at sign-in: a sign-out or role change ends the family.
    pub access_epoch: i32,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
