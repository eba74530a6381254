use sqlx::PgConnection;

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub level: i16,
    pub assessed_on: chrono::NaiveDate,
    pub source: crate::assessments::model::Source,
    pub assessor: String,
    pub note: String,
    pub status: crate::assessments::model::Status,
    pub evidence_id: Option<i64>,
    pub decision_reason: String,
}

impl HistoryRow {
    pub fn is_pending(&self) -> bool {
        self.status == crate::assessments::model::Status::Pending
    }
}

/// Every assessment of an employee, newest first.
pub async fn history(conn: &mut PgConnection, employee_id: i64) -> Result<Vec<HistoryRow>, sqlx::Error> {
    sqlx::query_as!(
        HistoryRow,
        r#"select a.id, c.code, c.name_id, c.name_en, a.level, a.assessed_on, a.source as "source: _",
                coalesce(nullif(a.assessor_name, ''), acc.username, '') as "assessor!", a.note, a.status as "status: _",
                a.evidence_id, a.decision_reason
         from assessments a join competencies c on c.id = a.competency_id
         left join accounts acc on acc.id = a.assessor_account_id
         where a.employee_id = $1 order by a.assessed_on desc, a.id desc"#,
        employee_id,
    )
    .fetch_all(conn)
    .await
}

#[derive(Clone, Debug)]
pub struct PendingRow {
    pub id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub employee: String,
    pub unit: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub level: i16,
    pub current_level: Option<i16>,
    pub assessed_on: chrono::NaiveDate,
    pub note: String,
    pub evidence_id: Option<i64>,
    /// What the proposed level means for this competency (in the reader's language).
    pub descriptor: String,
    /// How many wait in all (every row of one page says the same).
    pub total: i64,
}

impl crate::app::versioned::Weigh for PendingRow {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.employee.len() + self.note.len() + self.descriptor.len() + 128
    }
}

/// Store an uploaded evidence file (already checked by `Evidence::parse`) for an employee.
pub async fn store_evidence(
    conn: &mut PgConnection,
    employee_id: i64,
    ev: &super::model::Evidence,
    uploaded_by: i64,
) -> Result<i64, sqlx::Error> {
    use sha2::{Digest as _, Sha256};
    sqlx::query_scalar!(
        "insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data, uploaded_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        employee_id,
        ev.filename,
        ev.content_type,
        ev.bytes.len() as i32,
        Sha256::digest(&ev.bytes).to_vec(),
        ev.bytes,
        uploaded_by,
    )
    .fetch_one(conn)
    .await
}
