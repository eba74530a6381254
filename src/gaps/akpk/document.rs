//! The AKPK as a document: the PDF's blocks with its signatures, and the exported table.

use super::*;

/// The signature block: place and date, "Kepala <dinas>", the head's name, rank and NIP.
pub(super) fn signature(ctx: &Ctx, s: &Signer) -> Signature {
    let place = signing_place(ctx.agency_name());
    let date = ctx.date(ctx.today);
    let dinas = if s.dinas.is_empty() { ctx.agency_name() } else { s.dinas.as_str() };
    Signature {
        place_date: if place.is_empty() { date } else { format!("{place}, {date}") },
        office: ctx.t("akpk.signer").replace("{unit}", dinas),
        name: s.name.clone().unwrap_or_default(),
        rank: s.rank.clone().unwrap_or_default(),
        nip: s.nip.clone().unwrap_or_default(),
    }
}

/// The AKPK as a landscape PDF: one line per need, the totals, the head's signature.
pub(super) fn pdf_blocks(ctx: &Ctx, data: &AkpkData) -> Vec<Block> {
    let t = |k: &str| ctx.t(k).to_string();
    let en = ctx.lang.is_en();
    let mut rows: Vec<Vec<String>> = data
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let programme =
                if r.provider.is_empty() { r.programme.clone() } else { format!("{} · {}", r.programme, r.provider) };
            vec![
                (i + 1).to_string(),
                r.nip.clone(),
                format!("{} · {}", r.name, r.position),
                format!("{} {} · {}", r.code, r.competency, ctx.tv("prio", &r.priority)),
                r.required_level.to_string(),
                r.current_level.to_string(),
                r.gap().to_string(),
                format!("{} · {} {}", r.route, r.jenis_diklat, jenis_name(r.jenis_diklat)),
                programme,
                jp_text(r.jp, en),
                rupiah(r.estimated_cost),
                r.funding.clone(),
                status_label(ctx, r).to_string(),
            ]
        })
        .collect();
    let (jp, cost): (f64, i64) =
        (data.rows.iter().map(|r| r.jp).sum(), data.rows.iter().map(|r| r.estimated_cost).sum());
    let mut totals = vec![String::new(); 13];
    totals[2] = t("akpk.total");
    totals[9] = jp_text(jp, en);
    totals[10] = rupiah(cost);
    rows.push(totals);
    let table = Block::Table {
        headers: vec![
            t("akpk.no"),
            t("col.nip"),
            t("akpk.name_position"),
            t("col.competency"),
            t("col.level_required"),
            t("col.level_current"),
            t("col.gap"),
            t("col.route"),
            t("col.programme"),
            t("col.jp"),
            t("col.estimated_cost"),
            t("col.funding"),
            t("col.status"),
        ],
        rows,
    };
    let intro = match data.plan {
        Some((_, at, budget, _)) => {
            ctx.t("akpk.from_plan").replace("{when}", &ctx.date_time(at)).replace("{budget}", &rupiah(budget))
        }
        None => ctx.t("akpk.none").to_string(),
    };
    vec![Block::Para(intro), table, Block::Signature(signature(ctx, &data.signer))]
}

/// The AKPK as a table to export: levels, gap, year, JP and cost are numbers; NIPs stay text.
pub(super) fn export_table(ctx: &Ctx, year: i32, rows: &[AkpkRow]) -> (Table, Columns) {
    use Kind::{Decimal, Integer, Money, Text};
    let table = Table {
        name: "akpk",
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "col.competency_type",
            "col.competency",
            "col.level_required",
            "col.level_current",
            "col.gap",
            "col.priority",
            "col.route",
            "col.siasn_type",
            "col.programme",
            "col.provider",
            "col.year",
            "col.jp",
            "col.estimated_cost",
            "col.funding",
            "col.status",
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.nip.clone(),
                    r.name.clone(),
                    r.position.clone(),
                    r.unit.clone(),
                    ctx.tv("comp.kind", &r.kind).to_string(),
                    format!("{} {}", r.code, r.competency),
                    r.required_level.to_string(),
                    r.current_level.to_string(),
                    r.gap().to_string(),
                    ctx.tv("prio", &r.priority).to_string(),
                    r.route.clone(),
                    format!("{} {}", r.jenis_diklat, jenis_name(r.jenis_diklat)),
                    r.programme.clone(),
                    r.provider.clone(),
                    year.to_string(),
                    r.jp.to_string(),
                    r.estimated_cost.to_string(),
                    r.funding.clone(),
                    status_label(ctx, r).to_string(),
                ]
            })
            .collect(),
    };
    let columns = Columns {
        kinds: vec![
            Text, Text, Text, Text, Text, Text, Integer, Integer, Integer, Text, Text, Text, Text, Text, Integer,
            Decimal, Money, Text, Text,
        ],
        totals: Some(("akpk.total", vec![15, 16])),
    };
    (table, columns)
}
