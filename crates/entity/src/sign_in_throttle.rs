use sea_orm::entity::prelude::*;

/// Sign-in attempts of one identifier (`user:<email>`, `client:<client_id>`) from one client
/// address: how many since the count last started, when the last was reserved, and how long
/// after it the next must wait. Times are milliseconds (since the Unix epoch).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_throttle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub identifier: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub address: String,
    pub attempts: i32,
    pub last_attempt_ms: i64,
    pub delay_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
