//! Writing an applied batch: employees, assessments.

use super::*;

/// Create or update the employees of the file. A column the file does not carry (`present`
/// false) keeps its stored value; unchanged rows are not written and not audited.
pub(super) async fn write_employees(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    present: &[bool],
    rows: &[validate::EmployeeRow],
) -> Result<usize, sqlx::Error> {
    let rows: Vec<&validate::EmployeeRow> = rows.iter().filter(|r| r.changes).collect();
    if rows.is_empty() {
        return Ok(0);
    }
    // Those whose position the file changes: their accounts' head role follows (after writing).
    let moved: Vec<i64> = sqlx::query_scalar!(
        r#"select e.id from employees e join unnest($1::text[], $2::bigint[]) as t(nip, position_id) on t.nip = e.nip
         where e.position_id is distinct from t.position_id"#,
        &rows.iter().map(|r| r.employee.nip.as_str().to_string()).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.position_id).collect::<Vec<_>>(),
    )
    .fetch_all(&mut *tx)
    .await?;
    let col = |f: &dyn Fn(&validate::EmployeeRow) -> Option<String>| rows.iter().map(|r| f(r)).collect::<Vec<_>>();
    let p = |key: &str| {
        Kind::Employees.fields().iter().position(|f| f.key == key).and_then(|i| present.get(i).copied()).unwrap_or(true)
    };
    let n: i64 = sqlx::query_scalar!(
        r#"with input as (
           select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                                $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[])
             as t(nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                  education_level, education_field, email, phone)),
         before as (
           select e.nip, e.id, to_jsonb(e) - 'created_at' - 'updated_at' as j
           from employees e where e.nip in (select nip from input)),
         written as (
           insert into employees as e (nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id,
                                       unit_id, education_level, education_field, email, phone)
           select nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                  education_level, education_field, email, phone from input
           on conflict (nip) do update set
             status = excluded.status, name = excluded.name, position_id = excluded.position_id, unit_id = excluded.unit_id,
             front_title = case when $15 then excluded.front_title else e.front_title end,
             back_title = case when $16 then excluded.back_title else e.back_title end,
             sex = case when $17 then excluded.sex else e.sex end,
             birth_date = case when $18 then excluded.birth_date else e.birth_date end,
             rank_code = case when $19 then excluded.rank_code else e.rank_code end,
             education_level = case when $20 then excluded.education_level else e.education_level end,
             education_field = case when $21 then excluded.education_field else e.education_field end,
             email = case when $22 then excluded.email else e.email end,
             phone = case when $23 then excluded.phone else e.phone end
           returning e.id, e.nip, to_jsonb(e) - 'created_at' - 'updated_at' as j),
         audited as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
           select $24, $25, $26, 'employee', w.id::text, case when b.id is null then 'create' else 'update' end, b.j, w.j
           from written w left join before b on b.nip = w.nip
           where b.j is distinct from w.j
           returning 1)
         select count(*) as "n!" from audited"#,
        &col(&|r| Some(r.employee.nip.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.status.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.front_title.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.name.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.back_title.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.sex.as_str().to_string())) as _,
        &rows.iter().map(|r| r.employee.birth_date).collect::<Vec<_>>() as _,
        &col(&|r| r.employee.rank.as_ref().map(|x| x.as_str().to_string())) as _,
        &rows.iter().map(|r| r.position_id).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.unit_id).collect::<Vec<_>>() as _,
        &col(&|r| r.employee.education_level.map(|x| x.as_str().to_string())) as _,
        &col(&|r| Some(r.employee.education_field.clone())) as _,
        &col(&|r| r.employee.email.as_ref().map(|x| x.as_str().to_string())) as _,
        &col(&|r| r.employee.phone.as_ref().map(|x| x.as_str().to_string())) as _,
        p("front_title"),
        p("back_title"),
        p("sex"),
        p("birth_date"),
        p("rank"),
        p("education_level"),
        p("education_field"),
        p("email"),
        p("phone"),
        actor.account_id,
        &actor.label,
        &actor.ip,
    )
    .fetch_one(&mut *tx)
    .await?;
    crate::accounts::follow_positions(tx, actor, &moved).await?;
    Ok(n as usize)
}

/// Create or update validated assessments, matched by (employee, competency, date, source).
pub(super) async fn write_assessments(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    rows: &[validate::AssessmentRow],
) -> Result<usize, sqlx::Error> {
    let rows: Vec<&validate::AssessmentRow> = rows.iter().filter(|r| r.changes).collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar!(
        r#"with input as (
           select * from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::text[], $6::text[], $7::text[])
             as t(employee_id, competency_id, level, assessed_on, source, assessor, note)),
         matched as (
           select distinct on (a.employee_id, a.competency_id, a.assessed_on, a.source)
                  a.id, a.employee_id, a.competency_id, a.assessed_on, a.source, to_jsonb(a) - 'created_at' as j
           from assessments a join input i using (employee_id, competency_id, assessed_on, source)
           where a.status = 'validated'
           order by a.employee_id, a.competency_id, a.assessed_on, a.source, a.id),
         upd as (
           update assessments a set level = i.level, assessor_name = coalesce(i.assessor, a.assessor_name),
                                    note = coalesce(i.note, a.note)
           from matched m join input i using (employee_id, competency_id, assessed_on, source)
           where a.id = m.id
           returning a.id, m.j as before, to_jsonb(a) - 'created_at' as after),
         ins as (
           insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id,
                                    assessor_name, note, status, validated_by, validated_at)
           select i.employee_id, i.competency_id, i.level, i.assessed_on, i.source, $8, coalesce(i.assessor, ''),
                  coalesce(i.note, ''), 'validated', $8, now()
           from input i
           where not exists (select 1 from matched m where m.employee_id = i.employee_id and m.competency_id = i.competency_id
                               and m.assessed_on = i.assessed_on and m.source = i.source)
           returning id, to_jsonb(assessments) - 'created_at' as after),
         aud as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
           select $8, $9, $10, 'assessment', id::text, 'update', before, after from upd
           union all
           select $8, $9, $10, 'assessment', id::text, 'create', null, after from ins
           returning 1)
         select count(*) as "n!" from aud"#,
        &rows.iter().map(|r| r.employee_id).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.competency_id).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.level.get()).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.date).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.source.as_str()).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.assessor.clone()).collect::<Vec<_>>() as _,
        &rows.iter().map(|r| r.note.clone()).collect::<Vec<_>>() as _,
        actor.account_id,
        &actor.label,
        &actor.ip,
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(n as usize)
}
