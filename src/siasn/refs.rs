//! SIASN's reference lists (jenis diklat, latihan struktural, jenis kursus sertifikat, jenis
//! kompetensi) as HR last refreshed them: the forms offer them and check a choice against them.

use sqlx::PgConnection;

/// A list's (id, name) pairs, numeric ids in numeric order.
pub async fn options(conn: &mut PgConnection, kind: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select ref_id, name from siasn_refs where kind = $1
         order by case when ref_id ~ '^[0-9]+$' then lpad(ref_id, 10, '0') else ref_id end",
    )
    .bind(kind)
    .fetch_all(conn)
    .await
}

/// Whether `id` is on the list.
pub async fn known(conn: &mut PgConnection, kind: &str, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from siasn_refs where kind = $1 and ref_id = $2)")
        .bind(kind)
        .bind(id)
        .fetch_one(conn)
        .await
}
