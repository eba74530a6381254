//! The demo's SIASN data: what HR would have filled in for last year's and this year's completed
//! trainings (course certificate type, location, competency type and weight), and a certificate
//! file for each passed result that has a certificate number. The leadership trainings keep an
//! empty latihan struktural, as measured in the field, so the sync page shows what is missing.

use sqlx::PgConnection;

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    sqlx::query!(
        "update trainings set siasn_jenis_kursus_sertifikat = case when jenis_diklat = 1 then '' else 'P' end,
                siasn_lokasi_id = case when jenis_diklat = 1 then '' else '3204' end,
                siasn_jenis_kompetensi = case when jenis_diklat = 1 or form = 'manajerial' then 'M' else 'T' end,
                siasn_bobot = case when jenis_diklat = 1 then 2.5 end
         where status = 'completed'",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "with c as (
           select p.id, p.employee_id, convert_to('%PDF-1.4' || chr(10) || '% Sertifikat ' || p.certificate_no || chr(10) || '%%EOF', 'UTF8') as d
           from training_participants p join trainings t on t.id = p.training_id
           where p.status = 'passed' and t.status = 'completed' and p.certificate_no <> '' and p.certificate_file_id is null
         ), f as (
           insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data)
           select employee_id, 'sertifikat-' || id || '.pdf', 'application/pdf', length(d), sha256(d), d from c
           returning id, filename
         )
         update training_participants p set certificate_file_id = f.id from f where f.filename = 'sertifikat-' || p.id || '.pdf'",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
