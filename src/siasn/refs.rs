//! SIASN's reference lists (jenis diklat, latihan struktural, jenis kursus sertifikat, jenis
//! kompetensi) as HR last refreshed them: the forms offer them and check a choice against them.

use sqlx::PgConnection;

/// A list's (id, name) pairs, numeric ids in numeric order.
pub async fn options(conn: &mut PgConnection, kind: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select ref_id, name from siasn_refs where kind = $1
         order by case when ref_id ~ '^[0-9]+$' then lpad(ref_id, 10, '0') else ref_id end",
        kind,
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.ref_id, r.name))
    .collect())
}

/// Whether `id` is on the list.
pub async fn known(conn: &mut PgConnection, kind: &str, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from siasn_refs where kind = $1 and ref_id = $2) as "known!""#,
        kind,
        id
    )
    .fetch_one(conn)
    .await
}
