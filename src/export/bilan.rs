//! The bilan of a period as a document to send: a workbook (the consolidation, one sheet per
//! réservataire, the regulatory breakdown as a table ready for pivoting, the libérations
//! outside the flux, the alerts and the register rows set aside) or a PDF to sign that holds
//! the same: the steps, the décomptes, those in progress and the chutes (by cause), the reliquat
//! of the annual bilan, the realised share against the convention rate, the hors-flux leases
//! by category against the forecast, the R.441-5-1 breakdown, the alerts; the bailleur's
//! director general signs it.

use super::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
    save_workbook,
};
use crate::consolidate::{libelle_reservataire, nom_commune};
use crate::format::{date_fr, ecart_fr, entier, logements_fr, pourcentage};
use crate::suivi::bilan::{Bilan, BilanReservataire};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};
use std::path::Path;

const COLONNES: [&str; 15] = [
    "Réservataire",
    "Décompte",
    "Objectif de l'année",
    "Objectif de la période",
    "Mis à disposition",
    "Avec candidats",
    "Examinés en CALEOL",
    "Attribués",
    "Baux signés",
    "Décomptés",
    "Écart",
    "Conclues par un bail",
    "En cours",
    "Chutes",
    "Taux de chute",
];

/// The taux de chute in words: « — » when no mise à disposition of the period is concluded.
fn taux_chute(r: &BilanReservataire) -> String {
    if r.mises_a_disposition.saturating_sub(r.en_cours) == 0 { "—".into() } else { pourcentage(r.taux_chute) }
}

/// The title of the convention rate column: a consolidated bilan gives a mean of the
/// bailleurs' conventions weighted by their flux, which no convention states.
fn libelle_taux(b: &Bilan) -> &'static str {
    if b.bailleur.is_none() && b.bailleurs.len() > 1 {
        "Taux moyen pondéré des conventions des bailleurs"
    } else {
        "Taux de la convention"
    }
}

/// What the bilan counts: the flux of the year and the bailleurs' own share, the bailleurs
/// counted and those without a register (left out of the objectives).
fn perimetre_du_bilan(b: &Bilan) -> Vec<String> {
    let objectifs: u64 = b.reservataires.iter().map(|r| r.objectif).sum();
    let mut v = Vec::new();
    if b.reservataire.is_none() {
        let (qui, propre) = match &b.bailleur {
            Some(x) => (crate::format::de(x), "du bailleur"),
            None => ("des bailleurs comptés".into(), "des bailleurs"),
        };
        v.push(format!(
            "Flux {} {qui} : {}, dont part propre {propre} (non réservés) : {}, objectifs des réservataires : {}.",
            b.annee,
            crate::format::logements(b.flux),
            entier(b.non_reserve),
            entier(objectifs)
        ));
    }
    if b.annees.len() > 1 {
        let parts: Vec<String> = b
            .annees
            .iter()
            .map(|(a, f)| format!("{} des objectifs {a}", crate::format::pourcentage_fr(*f, 1)))
            .collect();
        v.push(format!(
            "Période sur plusieurs années : son objectif est la somme, au prorata des jours de chaque année dans la période, de {} ; la colonne « Objectif de l'année » donne ceux de {}.",
            parts.join(" et "),
            b.annee
        ));
    }
    if b.bailleur.is_none() {
        v.push(format!("Bailleurs comptés (objectifs et registres) : {}.", liste(&b.bailleurs)));
    }
    v.extend(b.mention_sans_registre());
    v
}

fn liste(v: &[String]) -> String {
    if v.is_empty() { "aucun".into() } else { v.join(", ") }
}

/// « 1er semestre 2024 », « année 2024 », « du 01/01/2024 au 30/09/2024 ».
fn periode(b: &Bilan) -> String {
    match b.semestre {
        Some(1) => format!("1er semestre {}", b.annee),
        Some(s) => format!("{s}e semestre {}", b.annee),
        None if b.debut.ends_with("-01-01") && b.fin.ends_with("-12-31") => format!("année {}", b.annee),
        None => format!("du {} au {}", date_fr(&b.debut), date_fr(&b.fin)),
    }
}

fn titre(b: &Bilan) -> String {
    let qui = b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into());
    let ou = b.epci.as_deref().map(|e| format!(" — {}", crate::consolidate::nom_epci(e))).unwrap_or_default();
    let pour = b.reservataire.as_deref().map(|r| format!(" — pour {}", libelle_reservataire(r))).unwrap_or_default();
    format!("Bilan du flux — {} — {qui}{ou}{pour}", periode(b))
}

/// The cells of the realisations (from « Mis à disposition » to the taux de chute) of a bilan
/// whose register was not sent: unknown, never zeros.
fn sans_realisations(b: &Bilan, mut v: Vec<String>) -> Vec<String> {
    if b.registre_non_transmis() {
        for c in v.iter_mut().skip(4) {
            *c = "—".into();
        }
    }
    v
}

fn ligne(b: &Bilan, r: &BilanReservataire) -> Vec<String> {
    let d = b.decimales();
    sans_realisations(
        b,
        vec![
            libelle_reservataire(&r.id),
            r.decompte.label().to_string(),
            entier(r.objectif),
            logements_fr(r.objectif_periode, d),
            entier(r.mises_a_disposition),
            entier(r.avec_candidats),
            entier(r.examines_cal),
            entier(r.attributions),
            entier(r.baux_signes),
            entier(r.decomptes),
            ecart_fr(r.ecart, d),
            entier(r.baux_cohorte),
            entier(r.en_cours),
            entier(r.chutes),
            taux_chute(r),
        ],
    )
}

/// The total row of the réservataires (the taux de chute of all their concluded ones).
fn total(b: &Bilan) -> Vec<String> {
    let t = b.total();
    sans_realisations(
        b,
        vec![
            "Total".into(),
            String::new(),
            entier(t.objectif),
            logements_fr(t.objectif_periode, b.decimales()),
            entier(t.mises_a_disposition),
            entier(t.avec_candidats),
            entier(t.examines_cal),
            entier(t.attributions),
            entier(t.baux_signes),
            entier(t.decomptes),
            ecart_fr(t.ecart, b.decimales()),
            entier(t.baux_cohorte),
            entier(t.en_cours),
            entier(t.chutes),
            t.taux_chute.map(pourcentage).unwrap_or_else(|| "—".into()),
        ],
    )
}

fn objectif_ou_aucun(x: Option<f64>) -> String {
    x.map(|x| crate::format::pourcentage_fr(x, 0)).unwrap_or_else(|| "aucun".into())
}

const COLONNES_PRIORITAIRES: [&str; 7] = [
    "Réservataire",
    "Baux signés",
    "Publics prioritaires",
    "dont DALO",
    "Ménage non renseigné",
    "Part (hors non renseignés)",
    "Objectif",
];

const COLONNES_QUARTILES: [&str; 11] = [
    "Périmètre",
    "Baux hors QPV",
    "dont 1er quartile ou relogés ANRU, ORCOD",
    "Non renseignés",
    "Part",
    "Objectif",
    "Baux en QPV",
    "dont quartiles 2 à 4",
    "Non renseignés",
    "Part",
    "Objectif",
];

/// The CIA's publics prioritaires, one row per réservataire with leases or an objective, then
/// the bailleurs' own: (label, leases, prioritaires, DALO, not filled in, share, objective).
type LignePrioritaires = (String, u64, u64, u64, u64, Option<f64>, Option<f64>);

/// A CIA share in the PDF with its base: « 100,0 % (base 1 / 41, indicative) » when fewer than
/// half of the households are known, never read as « atteint ».
fn part_et_base(part: Option<f64>, baux: u64, non_renseignes: u64) -> String {
    let Some(x) = part else { return "—".into() };
    let connus = baux - non_renseignes;
    let indicative = if crate::suivi::cia::base_suffisante(connus, baux) { "" } else { ", indicative" };
    format!(
        "{} (base {} / {}{indicative})",
        crate::format::pourcentage_fr(x, 1),
        crate::format::entier(connus),
        crate::format::entier(baux)
    )
}

fn lignes_prioritaires(b: &Bilan) -> Vec<LignePrioritaires> {
    let mut v: Vec<LignePrioritaires> = b
        .reservataires
        .iter()
        .filter(|r| r.baux_signes > 0 || r.objectif_prioritaires.is_some())
        .map(|r| {
            (
                libelle_reservataire(&r.id),
                r.baux_signes,
                r.attributions_prioritaires,
                r.dont_dalo,
                r.non_renseignes,
                r.part_prioritaires,
                r.objectif_prioritaires,
            )
        })
        .collect();
    let p = &b.cia.propres;
    // The bailleur's own objective (L.441-1) is shown even at zero leases: a line left out would
    // look like no objective (review 2, B13); never in the bilan sent to one réservataire.
    if b.reservataire.is_none() {
        v.push((
            BAILLEUR_PROPRES.into(),
            p.baux,
            p.attributions_prioritaires,
            p.dont_dalo,
            p.non_renseignes,
            p.part,
            p.objectif,
        ));
        // Each bailleur's own, in a consolidated bilan.
        for x in &b.cia.bailleurs {
            let p = &x.propres;
            v.push((
                format!("   dont {}", x.bailleur),
                p.baux,
                p.attributions_prioritaires,
                p.dont_dalo,
                p.non_renseignes,
                p.part,
                p.objectif,
            ));
        }
    }
    v
}

/// The quartile objectives: the bilan's perimeter first, then each bailleur of a consolidated one.
/// None in the bilan sent to one réservataire (review 4, B3): the quartile objectives are the
/// bailleur's and the EPCI's, not the réservataire's.
fn lignes_quartiles(b: &Bilan) -> Vec<(String, &crate::suivi::cia::HorsQpv, &crate::suivi::cia::EnQpv)> {
    if b.reservataire.is_some() {
        return vec![];
    }
    let tout = match (&b.bailleur, &b.epci) {
        (Some(x), _) => x.clone(),
        (None, Some(e)) => crate::consolidate::nom_epci(e),
        (None, None) => "Tous les bailleurs".into(),
    };
    std::iter::once((tout, &b.cia.hors_qpv, &b.cia.qpv))
        .chain(b.cia.bailleurs.iter().map(|x| (x.bailleur.clone(), &x.hors_qpv, &x.qpv)))
        .collect()
}

/// The bases of the shares printed side by side (review A5): the convention's rate is a share
/// of the whole flux, the bailleurs' own share included; the realised share is measured among
/// the réservataires' décomptes, so it is set against the objective's share of the
/// réservataires' flux.
const BASES_DES_PARTS: &str = "Le taux de la convention est une part du flux entier, part propre du bailleur (non réservés) comprise. La part réalisée est mesurée parmi les décomptes des réservataires de son périmètre, sans les attributions non réservées : elle se compare à la part de l'objectif du réservataire dans le flux des réservataires du même périmètre.";

/// The line of the bailleurs' own leases in the CIA table.
const BAILLEUR_PROPRES: &str = "Bailleur : baux non réservés (y compris après une reprise)";

/// The CIA section when no register says the household of any lease of the period (review 2,
/// B10): one line with what was counted, no share, no alert.
fn cia_non_renseignee(b: &Bilan) -> String {
    if b.registre_non_transmis() {
        return "Objectifs de la CIA non mesurables : registre non transmis.".into();
    }
    // The bilan sent to one réservataire speaks of its leases only (review 4, B3), never of
    // the bailleur's.
    if let Some(id) = &b.reservataire {
        let baux: u64 = b.reservataires.iter().filter(|r| &r.id == id).map(|r| r.baux_signes).sum();
        let objectif = b.reservataires.iter().find(|r| &r.id == id).and_then(|r| r.objectif_prioritaires);
        let objectif = match objectif {
            Some(x) => {
                format!(" (objectif : {} de ses baux aux publics prioritaires)", crate::format::pourcentage_fr(x, 0))
            }
            None => String::new(),
        };
        return format!(
            "Objectifs de la CIA non mesurables pour la période : le registre ne dit le ménage (public prioritaire, DALO) d'aucun des {} baux signés pour {}{objectif}. Aucune part n'est calculée ; il faut les colonnes « Public prioritaire » / « DALO » dans le registre.",
            entier(baux),
            libelle_reservataire(id),
        );
    }
    let (h, q) = (&b.cia.hors_qpv, &b.cia.qpv);
    let relogements = match h.relogements_sans_quartile {
        0 => String::new(),
        n => format!(
            ", dont {} d'une opération ANRU/NPNRU ou ORCOD, comptés d'office au premier quartile",
            if n == 1 { "1 relogement".to_string() } else { format!("{} relogements", entier(n)) }
        ),
    };
    format!(
        "Objectifs de la CIA non mesurables pour la période : les registres ne disent le ménage (public prioritaire, quartile de ressources) d'aucun de ses {} baux signés — {} hors QPV{relogements}, {} en QPV. Aucune part n'est calculée et aucune alerte n'est émise ; il faut les colonnes « Public prioritaire » / « DALO » et « Quartile » dans les registres.",
        entier(h.baux + q.baux),
        entier(h.baux),
        entier(q.baux),
    )
}

const CIA_EXPLICATION: &str = "Chaque bail signé dans la période compte, flux et hors flux, selon le QPV du logement ; les ménages non renseignés sont comptés à part et hors de la part. Le premier quartile compte aussi les ménages relogés d'une opération ANRU/NPNRU ou ORCOD, quel que soit leur quartile ; un périmètre dont aucun bail ne dit le quartile n'a pas de part (« — »), ses relogés restant comptés. Les baux propres du bailleur sont ses baux non réservés, y compris ceux qui suivent une reprise ; les libérations hors flux n'y sont pas comptées. Chaque part est écrite avec sa base (ménages renseignés sur baux signés) : quand moins de la moitié des ménages sont renseignés, la part est indicative et ne dit pas si l'objectif est atteint.";

struct Formats {
    head: Format,
    num: Format,
    dec: Format,
    ecart: Format,
    ecart_dec: Format,
    pct: Format,
    cell: Format,
    bold: Format,
    total: Format,
    total_num: Format,
    total_dec: Format,
    total_ecart: Format,
    total_ecart_dec: Format,
    total_pct: Format,
    /// A paragraph wrapped in its merged cells.
    texte: Format,
}

/// Printing a sheet: as every workbook to sign (A4 landscape, one page wide, the title and
/// the date of edition in the header, the reference and the page numbers in the footer).
fn mise_en_page(ws: &mut Worksheet, b: &Bilan, titre: &str) -> Result<(), rust_xlsxwriter::XlsxError> {
    super::classeur::mise_en_page(ws, true, titre, &date_d_edition(), &reference(b), false)
}

/// The bilan's reference, the same on its workbook and its PDF: bailleur, EPCI (« TOUS » when
/// every EPCI of the dossier is counted), period, and the réservataire it is addressed to.
fn reference(b: &Bilan) -> String {
    reference_de(b.bailleur.as_deref(), b.epci.as_deref(), &b.debut, &b.fin, b.reservataire.as_ref())
}

fn reference_de(
    bailleur: Option<&str>,
    epci: Option<&str>,
    debut: &str,
    fin: &str,
    reservataire: Option<&crate::model::Reservataire>,
) -> String {
    let mut r = format!(
        "BILAN-{}-{}-{debut}-{fin}",
        bailleur.map(crate::text::slug).unwrap_or_else(|| "tous".into()),
        epci.unwrap_or("tous"),
    );
    if let Some(x) = reservataire {
        r.push('-');
        r.push_str(&crate::text::slug(x.as_str()));
    }
    r.to_uppercase()
}

fn write_row(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    x: &BilanReservataire,
    b: &Bilan,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let annuel = b.annuel;
    ws.write_string_with_format(r, 0, libelle_reservataire(&x.id), &f.cell)?;
    ws.write_string_with_format(r, 1, x.decompte.label(), &f.cell)?;
    ws.write_number_with_format(r, 2, x.objectif as f64, &f.num)?;
    ws.write_number_with_format(r, 3, x.objectif_periode, if annuel { &f.num } else { &f.dec })?;
    if b.registre_non_transmis() {
        for c in 4..15 {
            ws.write_string_with_format(r, c, "—", &f.cell)?;
        }
        return Ok(());
    }
    for (j, n) in [x.mises_a_disposition, x.avec_candidats, x.examines_cal, x.attributions, x.baux_signes, x.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.num)?;
    }
    ws.write_number_with_format(r, 10, x.ecart, if annuel { &f.ecart } else { &f.ecart_dec })?;
    ws.write_number_with_format(r, 11, x.baux_cohorte as f64, &f.num)?;
    ws.write_number_with_format(r, 12, x.en_cours as f64, &f.num)?;
    ws.write_number_with_format(r, 13, x.chutes as f64, &f.num)?;
    if x.mises_a_disposition > x.en_cours {
        ws.write_number_with_format(r, 14, x.taux_chute, &f.pct)?;
    } else {
        ws.write_string_with_format(r, 14, "—", &f.cell)?;
    }
    Ok(())
}

/// The columns of the regulatory breakdown (each réservataire's sheet, and after the
/// réservataire and the INSEE code in the « Ventilation » sheet).
const DETAIL: [&str; 8] = [
    "Commune",
    "Typologie",
    "Financement",
    "QPV",
    "Période de construction",
    "Mis à disposition",
    "Attribués",
    "Baux signés",
];

/// One row of the breakdown, in the columns of [`DETAIL`] from column `c`.
fn write_detail(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    d: &crate::suivi::bilan::LigneDetail,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.write_string_with_format(r, c, nom_commune(&d.commune), &f.cell)?;
    ws.write_string_with_format(r, c + 1, &d.typologie, &f.cell)?;
    ws.write_string_with_format(r, c + 2, &d.financement, &f.cell)?;
    ws.write_string_with_format(r, c + 3, if d.qpv { "QPV" } else { "hors QPV" }, &f.cell)?;
    ws.write_string_with_format(r, c + 4, d.periode_construction, &f.cell)?;
    ws.write_number_with_format(r, c + 5, d.mises_a_disposition as f64, &f.num)?;
    ws.write_number_with_format(r, c + 6, d.attributions as f64, &f.num)?;
    ws.write_number_with_format(r, c + 7, d.baux_signes as f64, &f.num)?;
    Ok(())
}

fn workbook(b: &Bilan) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let f = Formats {
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin)
            .set_text_wrap(),
        num: Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0"),
        dec: Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0.0"),
        // A gap with its sign, the minus sign « − »; whole when it is.
        ecart: Format::new().set_border(FormatBorder::Thin).set_num_format("+#,##0;\"\u{2212}\"#,##0;0"),
        ecart_dec: Format::new().set_border(FormatBorder::Thin).set_num_format("+#,##0.0;\"\u{2212}\"#,##0.0;0"),
        pct: Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        cell: Format::new().set_border(FormatBorder::Thin),
        bold: Format::new().set_bold().set_font_size(13),
        total: Format::new().set_bold().set_border(FormatBorder::Thin),
        total_num: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("#,##0"),
        total_dec: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("#,##0.0"),
        total_ecart: Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_num_format("+#,##0;\"\u{2212}\"#,##0;0"),
        total_ecart_dec: Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_num_format("+#,##0.0;\"\u{2212}\"#,##0.0;0.0"),
        total_pct: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        texte: Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
    };
    let mut wb = Workbook::new();
    let mut pris = Vec::new();
    let ws = wb.add_worksheet();
    ws.set_name(super::classeur::sheet_name("Consolidation", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    ws.write_string_with_format(0, 0, titre(b), &f.bold)?;
    let mut r = 1;
    for l in perimetre_du_bilan(b) {
        ws.write_string(r, 0, l)?;
        r += 1;
    }
    r += 1;
    let entete = r;
    for (j, h) in COLONNES.iter().enumerate() {
        ws.write_string_with_format(r, j as u16, *h, &f.head)?;
    }
    // Wrapped headers: a row high enough for them (else they overlap when printed).
    ws.set_row_height(r, 42)?;
    for x in &b.reservataires {
        r += 1;
        write_row(ws, &f, r, x, b)?;
    }
    r += 1;
    // The total row, as numbers (the taux de chute of all the réservataires' concluded ones).
    ws.write_string_with_format(r, 0, "Total", &f.total)?;
    ws.write_string_with_format(r, 1, "", &f.total)?;
    let t = b.total();
    let (dec, ecart) = if b.annuel { (&f.total_num, &f.total_ecart) } else { (&f.total_dec, &f.total_ecart_dec) };
    ws.write_number_with_format(r, 2, t.objectif as f64, &f.total_num)?;
    ws.write_number_with_format(r, 3, t.objectif_periode, dec)?;
    for (j, n) in [t.mises_a_disposition, t.avec_candidats, t.examines_cal, t.attributions, t.baux_signes, t.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.total_num)?;
    }
    ws.write_number_with_format(r, 10, t.ecart, ecart)?;
    ws.write_number_with_format(r, 11, t.baux_cohorte as f64, &f.total_num)?;
    ws.write_number_with_format(r, 12, t.en_cours as f64, &f.total_num)?;
    ws.write_number_with_format(r, 13, t.chutes as f64, &f.total_num)?;
    match t.taux_chute {
        Some(x) => ws.write_number_with_format(r, 14, x, &f.total_pct)?,
        None => ws.write_string_with_format(r, 14, "—", &f.total)?,
    };
    if b.registre_non_transmis() {
        for c in 4..15 {
            ws.write_string_with_format(r, c, "—", &f.total)?;
        }
    }
    ws.set_repeat_rows(entete, entete)?;
    // The bailleur's libérations outside the flux: not in the bilan sent to one réservataire.
    if b.reservataire.is_none() {
        r += 2;
        ws.write_string_with_format(r, 0, "Hors flux (soustraits)", &f.head)?;
        ws.write_string_with_format(r, 1, "Prévus", &f.head)?;
        ws.write_string_with_format(r, 2, "Réalisés (baux signés)", &f.head)?;
        ws.write_string_with_format(r, 3, "Écart", &f.head)?;
        ws.set_row_height(r, 30)?;
        for h in crate::suivi::HorsFlux::ALL {
            let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
            r += 1;
            ws.write_string_with_format(r, 0, h.label(), &f.cell)?;
            ws.write_number_with_format(r, 1, v.prevus_periode, if b.annuel { &f.num } else { &f.dec })?;
            if b.registre_non_transmis() {
                ws.write_string_with_format(r, 2, "—", &f.cell)?;
                ws.write_string_with_format(r, 3, "—", &f.cell)?;
                continue;
            }
            ws.write_number_with_format(r, 2, v.realises as f64, &f.num)?;
            let e = ((v.realises as f64 - v.prevus_periode) * 10.0).round() / 10.0;
            ws.write_number_with_format(r, 3, e, if b.annuel { &f.ecart } else { &f.ecart_dec })?;
        }
    }
    r += 2;
    for a in &b.alertes {
        ws.write_string(r, 0, format!("Alerte : {}", a.detail))?;
        r += 1;
    }
    // The signature of the party who sends it (review 2, B11), as on every workbook to sign.
    super::classeur::signatures(ws, r + 1, &signataires(b), &[(0, 1)], false)?;
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 30)?;
    for j in 2..15 {
        ws.set_column_width(j, 13)?;
    }
    // The CIA objectives.
    let ws = wb.add_worksheet();
    ws.set_name(super::classeur::sheet_name("Objectifs CIA", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    ws.write_string_with_format(
        0,
        0,
        format!("Objectifs d'attribution (CIA, art. L.441-1 du CCH) — {}", titre(b)),
        &f.bold,
    )?;
    // The explanation wrapped over the table's width (printed one page wide, never shrunk to
    // the length of one line of text).
    let explication = if b.cia.renseigne { CIA_EXPLICATION.to_string() } else { cia_non_renseignee(b) };
    ws.merge_range(1, 0, 1, 10, &explication, &f.texte)?;
    ws.set_row_height(1, super::classeur::hauteur(&[(&explication, 175.0)]))?;
    for (j, h) in COLONNES_PRIORITAIRES.iter().enumerate() {
        ws.write_string_with_format(3, j as u16, *h, &f.head)?;
    }
    ws.write_string_with_format(3, 7, "Base de la part", &f.head)?;
    ws.set_row_height(3, 42)?;
    let mut r = 4;
    for (nom, baux, prio, dalo, nr, part, objectif) in lignes_prioritaires(b) {
        ws.write_string_with_format(r, 7, crate::suivi::cia::base_dite(baux - nr, baux), &f.texte)?;
        ws.write_string_with_format(r, 0, nom, &f.cell)?;
        for (j, n) in [baux, prio, dalo, nr].iter().enumerate() {
            ws.write_number_with_format(r, 1 + j as u16, *n as f64, &f.num)?;
        }
        match part {
            Some(x) => ws.write_number_with_format(r, 5, x, &f.pct)?,
            None => ws.write_string_with_format(r, 5, "—", &f.cell)?,
        };
        match objectif {
            Some(x) => ws.write_number_with_format(r, 6, x, &f.pct)?,
            None => ws.write_string_with_format(r, 6, "aucun", &f.cell)?,
        };
        r += 1;
    }
    r += 1;
    let quartiles = lignes_quartiles(b);
    if !quartiles.is_empty() {
        for (j, h) in COLONNES_QUARTILES.iter().enumerate() {
            ws.write_string_with_format(r, j as u16, *h, &f.head)?;
        }
        ws.write_string_with_format(r, 11, "Base de la part hors QPV", &f.head)?;
        ws.write_string_with_format(r, 12, "Base de la part en QPV", &f.head)?;
        ws.set_row_height(r, 42)?;
    }
    for (nom, h, q) in quartiles {
        r += 1;
        ws.write_string_with_format(r, 0, nom, &f.cell)?;
        ws.write_string_with_format(r, 11, crate::suivi::cia::base_dite(h.menages_renseignes, h.baux), &f.texte)?;
        ws.write_string_with_format(r, 12, crate::suivi::cia::base_dite(q.menages_renseignes, q.baux), &f.texte)?;
        let cols: [(u64, u64, u64, Option<f64>, f64); 2] = [
            (h.baux, h.premier_quartile, h.non_renseignes, h.part, h.objectif),
            (q.baux, q.quartiles_2_4, q.non_renseignes, q.part, q.objectif),
        ];
        for (k, (baux, n, nr, part, objectif)) in cols.into_iter().enumerate() {
            let c = 1 + 5 * k as u16;
            ws.write_number_with_format(r, c, baux as f64, &f.num)?;
            ws.write_number_with_format(r, c + 1, n as f64, &f.num)?;
            ws.write_number_with_format(r, c + 2, nr as f64, &f.num)?;
            match part {
                Some(x) => ws.write_number_with_format(r, c + 3, x, &f.pct)?,
                None => ws.write_string_with_format(r, c + 3, "—", &f.cell)?,
            };
            ws.write_number_with_format(r, c + 4, objectif, &f.pct)?;
        }
    }
    ws.set_column_width(0, 40)?;
    for j in 1..11 {
        ws.set_column_width(j, 14)?;
    }
    for j in 11..13 {
        ws.set_column_width(j, 30)?;
    }
    for x in &b.reservataires {
        let ws = wb.add_worksheet();
        ws.set_name(super::classeur::sheet_name(&libelle_reservataire(&x.id), &mut pris))?;
        mise_en_page(ws, b, &format!("{} — {}", libelle_reservataire(&x.id), titre(b)))?;
        ws.write_string_with_format(0, 0, format!("{} — {}", libelle_reservataire(&x.id), titre(b)), &f.bold)?;
        for (j, h) in COLONNES.iter().enumerate() {
            ws.write_string_with_format(2, j as u16, *h, &f.head)?;
        }
        ws.set_row_height(2, 42)?;
        write_row(ws, &f, 3, x, b)?;
        if let Some(rel) = x.reliquat {
            ws.write_string(5, 0, "Reliquat reporté sur l'année suivante")?;
            ws.write_number_with_format(5, 2, rel as f64, &f.num)?;
        }
        if b.registre_non_transmis() {
            ws.write_string(6, 0, format!("Réalisé : part des décomptes des réservataires ({})", x.perimetre))?;
            ws.write_string(6, 2, "—")?;
        } else {
            ws.write_string(
                6,
                0,
                format!("Réalisé : part des décomptes des réservataires ({}) — {}", x.perimetre, base_du_realise(x)),
            )?;
            ws.write_number_with_format(6, 2, x.part_realisee, &f.pct)?;
        }
        ws.write_string(6, 3, "contre l'objectif : part du flux des réservataires")?;
        ws.write_number_with_format(6, 8, x.part_flux_reserve, &f.pct)?;
        ws.write_string(7, 0, format!("{} ({}), part du flux entier", libelle_taux(b), x.perimetre))?;
        ws.write_number_with_format(7, 2, x.taux_convention, &f.pct)?;
        ws.merge_range(13, 0, 13, 14, BASES_DES_PARTS, &f.texte)?;
        ws.set_row_height(13, super::classeur::hauteur(&[(BASES_DES_PARTS, 175.0)]))?;
        ws.write_string(8, 0, "Chutes par cause")?;
        for (i, (k, l)) in crate::suivi::bilan::CAUSES_DE_CHUTE.iter().enumerate() {
            ws.write_string(9 + i as u32, 0, format!("  {l}"))?;
            ws.write_number_with_format(
                9 + i as u32,
                2,
                x.chutes_par_cause.get(k).copied().unwrap_or(0) as f64,
                &f.num,
            )?;
        }
        for (j, h) in DETAIL.iter().enumerate() {
            ws.write_string_with_format(14, j as u16, *h, &f.head)?;
        }
        ws.set_row_height(14, 30)?;
        for (rr, d) in (15u32..).zip(b.detail.iter().filter(|d| d.reservataire == x.id)) {
            write_detail(ws, rr, 0, d, &f)?;
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(1, 30)?;
    }
    // The breakdown as a tidy table, for a pivot table.
    let ws = wb.add_worksheet();
    ws.set_name(super::classeur::sheet_name("Ventilation", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    for (j, h) in ["Bailleur", "Réservataire", "Code INSEE"].iter().chain(DETAIL.iter()).enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, d) in b.detail.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &d.bailleur)?;
        ws.write_string(r, 1, libelle_reservataire(&d.reservataire))?;
        ws.write_string(r, 2, &d.commune)?;
        write_detail(ws, r, 3, d, &f)?;
    }
    ws.autofilter(0, 0, b.detail.len() as u32, 10)?;
    ws.set_repeat_rows(0, 0)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 36)?;
    let ws = wb.add_worksheet();
    ws.set_name(super::classeur::sheet_name("Lignes mises de côté", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    for (j, h) in ["Bailleur", "Fichier", "Feuille", "Ligne", "Motif", "Valeur"].iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, x) in b.rejets.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &x.bailleur)?;
        ws.write_string(r, 1, &x.fichier)?;
        ws.write_string(r, 2, x.feuille.clone().unwrap_or_default())?;
        ws.write_number(r, 3, x.ligne as f64)?;
        ws.write_string(r, 4, crate::suivi::motif_en_clair(&x.motif))?;
        ws.write_string(r, 5, &x.valeur)?;
    }
    Ok(wb)
}

pub fn export(b: &Bilan, out: &Path) -> Result<(), ExportError> {
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "xlsx" => {
            let mut wb = workbook(b).map_err(|e| ExportError::Donnees(e.to_string()))?;
            save_workbook(&mut wb, out)
        }
        "pdf" => pdf(b, out),
        "png" | "svg" => Ok(crate::charts::export_bilan(b, out)?),
        _ => Err(ExportError::Donnees(format!(
            "format « {ext} » inconnu : .xlsx ou .pdf pour le bilan, .png ou .svg pour son graphique"
        ))),
    }
}

/// The parties of the bilan: the bailleur's director general (or the EPCI for a consolidated bilan).
fn signataires(b: &Bilan) -> Vec<String> {
    match (&b.bailleur, &b.epci) {
        (Some(x), _) => vec![format!("Le directeur général {}", crate::format::de(x))],
        (None, Some(e)) => vec![format!("Pour l'EPCI {}", crate::consolidate::nom_epci(e))],
        (None, None) => vec!["Pour les bailleurs".into()],
    }
}

/// The bilan as a PDF to sign: what the workbook holds, over as many pages as needed.
fn pdf(b: &Bilan, out: &Path) -> Result<(), ExportError> {
    let territoire = match (&b.epci, b.epcis_comptes.as_slice()) {
        (Some(e), _) => crate::consolidate::nom_epci(e),
        (None, []) => "tous les EPCI du dossier".into(),
        (None, noms) => noms.join(", "),
    };
    let entete = Entete {
        document: titre(b),
        mentions: vec![
            format!("Bailleur : {}", b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into())),
            format!("EPCI : {territoire}"),
            match periode(b) {
                p if p.starts_with("du ") => format!("Période : {p}"),
                p => format!("Période : {p} (du {} au {})", date_fr(&b.debut), date_fr(&b.fin)),
            },
            match &b.reservataire {
                Some(r) => format!("Réservataire : {}", libelle_reservataire(r)),
                None => "Réservataires : tous".into(),
            },
        ],
        edition: date_d_edition(),
        reference: reference(b),
    };
    let mut p = Pdf::document(true, entete);
    p.titre(13.0, &titre(b));
    p.texte(
        8.5,
        "Chaque étape est comptée à sa propre date dans la période ; chaque libération est décomptée une seule fois, à l'étape de sa convention. Le taux de chute porte sur les mises à disposition de la période conclues à sa fin (bail signé, ou fin sans bail : refus, non-attribution, reprise, réorientation) ; celles encore ouvertes sont « en cours », jamais des chutes.",
    );
    for l in perimetre_du_bilan(b) {
        p.texte(8.5, &l);
    }
    p.titre(11.0, "Avancement par réservataire");
    p.texte(
        8.5,
        "Mises à disposition de la période = conclues par un bail + en cours + chutes ; l'écart compare les décomptés à l'objectif de la période.",
    );
    // The décompte step goes to the next table: one line per réservataire here, the table
    // whole on its page with its total.
    let sans_decompte = |mut v: Vec<String>| {
        v.remove(1);
        v
    };
    let rows: Vec<Vec<String>> = std::iter::once(sans_decompte(COLONNES.iter().map(|s| s.to_string()).collect()))
        .chain(b.reservataires.iter().map(|r| sans_decompte(ligne(b, r))))
        .chain((b.reservataires.len() > 1).then(|| sans_decompte(total(b))))
        .collect();
    let widths = [164.0, 46.0, 46.0, 46.0, 46.0, 46.0, 42.0, 42.0, 46.0, 42.0, 46.0, 40.0, 40.0, 40.0];
    let right = [false, true, true, true, true, true, true, true, true, true, true, true, true, true];
    let hauteur = 7.5 * 1.25 * 3.0 + (rows.len() as f32) * 7.5 * 2.35 + 20.0;
    if hauteur < 480.0 {
        p.assurer(hauteur);
    }
    p.tableau(&widths, &right, &rows, 7.5);

    p.titre(11.0, "Part réalisée contre l'objectif, décompte, reliquat et chutes par cause");
    p.texte(8.5, BASES_DES_PARTS);
    if libelle_taux(b) != "Taux de la convention" {
        p.texte(
            8.5,
            "Bilan de plusieurs bailleurs : le taux indiqué est la moyenne des taux de leurs conventions pondérée par le flux de chacun ; chaque convention garde son propre taux (bilan par bailleur).",
        );
    }
    if !b.annuel {
        p.texte(8.5, "Bilan intermédiaire : le reliquat (objectif de l'année non atteint) est établi au bilan annuel.");
    }
    let mut head = vec![
        "Réservataire".to_string(),
        "Décompte".into(),
        "Périmètre du taux".into(),
        format!("{} (part du flux entier)", libelle_taux(b)),
        "Objectif : part du flux des réservataires".into(),
        "Réalisé : part des décomptes des réservataires (ses décomptés / ceux du périmètre)".into(),
    ];
    if b.annuel {
        head.push("Reliquat reporté".into());
    }
    head.extend(crate::suivi::bilan::CAUSES_DE_CHUTE.iter().map(|(_, l)| format!("Chutes — {l}")));
    let rows: Vec<Vec<String>> = std::iter::once(head)
        .chain(b.reservataires.iter().map(|x| {
            let mut r = vec![
                libelle_reservataire(&x.id),
                x.decompte.label().to_string(),
                x.perimetre.clone(),
                pourcentage(x.taux_convention),
                pourcentage(x.part_flux_reserve),
                format!(
                    "{} ({} / {})",
                    pourcentage(x.part_realisee),
                    entier(x.decomptes),
                    entier(x.decomptes_du_perimetre)
                ),
            ];
            if b.annuel {
                r.push(x.reliquat.map(entier).unwrap_or_default());
            }
            r.extend(
                crate::suivi::bilan::CAUSES_DE_CHUTE
                    .iter()
                    .map(|(k, _)| entier(x.chutes_par_cause.get(k).copied().unwrap_or(0))),
            );
            if b.registre_non_transmis() {
                for c in r.iter_mut().skip(5) {
                    *c = "—".into();
                }
            }
            r
        }))
        .collect();
    let mut widths = vec![140.0, 56.0, 120.0, 60.0, 60.0, 64.0];
    let mut right = vec![false, false, false, true, true, true];
    if b.annuel {
        widths.push(46.0);
        right.push(true);
    }
    let reste = (p.largeur() - widths.iter().sum::<f32>()) / 4.0;
    widths.extend([reste; 4]);
    right.extend([true; 4]);
    p.tableau(&widths, &right, &rows, 7.5);

    if b.reservataire.is_none() {
        hors_flux_pdf(&mut p, b);
    }
    cia_pdf(&mut p, b);
    ventilation_pdf(&mut p, b);
    fin_pdf(&mut p, b);
    p.save(out)
}

/// The libérations outside the flux against the forecast (the bilan of the bailleur or the EPCI).
fn hors_flux_pdf(p: &mut Pdf, b: &Bilan) {
    p.titre(11.0, "Hors flux : baux signés par catégorie de soustraits, contre la prévision");
    let rows: Vec<Vec<String>> = std::iter::once(vec![
        "Catégorie".to_string(),
        format!("Prévus ({})", if b.annuel { "flux de l'année" } else { "au prorata de la période" }),
        "Réalisés (baux signés)".into(),
        "Écart".into(),
    ])
    .chain(crate::suivi::HorsFlux::ALL.iter().map(|h| {
        let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
        let d = b.decimales();
        if b.registre_non_transmis() {
            return vec![h.label().to_string(), logements_fr(v.prevus_periode, d), "—".into(), "—".into()];
        }
        vec![
            h.label().to_string(),
            logements_fr(v.prevus_periode, d),
            entier(v.realises),
            ecart_fr(v.realises as f64 - v.prevus_periode, d),
        ]
    }))
    .collect();
    p.tableau(&[420.0, 110.0, 110.0, 80.0], &[false, true, true, true], &rows, 8.0);
}

fn cia_pdf(p: &mut Pdf, b: &Bilan) {
    p.titre(11.0, "Objectifs d'attribution (CIA, art. L.441-1 du CCH)");
    if !b.cia.renseigne {
        p.texte(8.5, &cia_non_renseignee(b));
    } else {
        p.texte(8.5, CIA_EXPLICATION);
        let rows: Vec<Vec<String>> = std::iter::once(COLONNES_PRIORITAIRES.iter().map(|s| s.to_string()).collect())
            .chain(lignes_prioritaires(b).into_iter().map(|(nom, baux, prio, dalo, nr, part, objectif)| {
                vec![
                    nom,
                    entier(baux),
                    entier(prio),
                    entier(dalo),
                    entier(nr),
                    part_et_base(part, baux, nr),
                    objectif_ou_aucun(objectif),
                ]
            }))
            .collect();
        p.tableau(
            &[220.0, 80.0, 90.0, 70.0, 90.0, 110.0, 80.0],
            &[false, true, true, true, true, true, true],
            &rows,
            8.0,
        );
        let rows: Vec<Vec<String>> = std::iter::once(COLONNES_QUARTILES.iter().map(|s| s.to_string()).collect())
            .chain(lignes_quartiles(b).into_iter().map(|(nom, h, q)| {
                vec![
                    nom,
                    entier(h.baux),
                    entier(h.premier_quartile),
                    entier(h.non_renseignes),
                    part_et_base(h.part, h.baux, h.non_renseignes),
                    objectif_ou_aucun(Some(h.objectif)),
                    entier(q.baux),
                    entier(q.quartiles_2_4),
                    entier(q.non_renseignes),
                    part_et_base(q.part, q.baux, q.non_renseignes),
                    objectif_ou_aucun(Some(q.objectif)),
                ]
            }))
            .collect();
        if rows.len() > 1 {
            p.tableau(
                &[150.0, 55.0, 90.0, 60.0, 55.0, 55.0, 55.0, 70.0, 60.0, 55.0, 55.0],
                &[false, true, true, true, true, true, true, true, true, true, true],
                &rows,
                7.5,
            );
        }
    }
}

/// The R.441-5-1 breakdown, readable over its pages (review 2): one table per réservataire (and
/// bailleur, in a bilan of several) with its totals, the commune written once over its lines
/// and totalled when it has several; the same detail, as one table to pivot, is in the workbook.
fn ventilation_pdf(p: &mut Pdf, b: &Bilan) {
    use crate::suivi::bilan::LigneDetail;
    p.titre(11.0, "Ventilation réglementaire (art. R.441-5-1 du CCH)");
    p.texte(
        8.5,
        "Logements proposés (mis à disposition), attribués et baux signés dans la période, par réservataire, commune, typologie, financement, QPV et période de construction : un tableau par réservataire, ses totaux en tête ; chaque commune écrite une fois, totalisée quand elle a plusieurs lignes. Le même détail, en une table prête pour un tableau croisé, est dans l'onglet « Ventilation » du classeur (.xlsx).",
    );
    if b.registre_non_transmis() {
        p.texte(8.5, "Registre non transmis : ventilation inconnue.");
        return;
    }
    if b.detail.is_empty() {
        p.texte(8.5, "Aucune mise à disposition, attribution ni bail dans la période.");
        return;
    }
    let somme = |v: &[&LigneDetail]| {
        [
            v.iter().map(|d| d.mises_a_disposition).sum::<u64>(),
            v.iter().map(|d| d.attributions).sum(),
            v.iter().map(|d| d.baux_signes).sum(),
        ]
    };
    let plusieurs = b.bailleur.is_none() && b.bailleurs.len() > 1;
    let widths = [150.0, 62.0, 78.0, 62.0, 90.0, 78.0, 62.0, 62.0];
    let right = [false, false, false, false, false, true, true, true];
    let mut groupes: Vec<Vec<&LigneDetail>> = Vec::new();
    for d in &b.detail {
        match groupes.last_mut() {
            Some(g) if (g[0].bailleur == d.bailleur && g[0].reservataire == d.reservataire) => g.push(d),
            _ => groupes.push(vec![d]),
        }
    }
    for g in &groupes {
        let [m, a, l] = somme(g);
        let qui = if plusieurs {
            format!("{} — {}", g[0].bailleur, libelle_reservataire(&g[0].reservataire))
        } else {
            libelle_reservataire(&g[0].reservataire)
        };
        let mut rows: Vec<Vec<String>> = vec![DETAIL.iter().map(|s| s.to_string()).collect()];
        let mut i = 0;
        while i < g.len() {
            let n = g[i..].iter().take_while(|d| d.commune == g[i].commune).count();
            let commune = &g[i..i + n];
            for (k, d) in commune.iter().enumerate() {
                rows.push(vec![
                    if k == 0 { nom_commune(&d.commune) } else { String::new() },
                    d.typologie.clone(),
                    d.financement.clone(),
                    if d.qpv { "QPV".into() } else { "hors QPV".into() },
                    d.periode_construction.to_string(),
                    entier(d.mises_a_disposition),
                    entier(d.attributions),
                    entier(d.baux_signes),
                ]);
            }
            if n > 1 {
                let [cm, ca, cl] = somme(commune);
                rows.push(vec![
                    format!("   Total {}", nom_commune(&commune[0].commune)),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    entier(cm),
                    entier(ca),
                    entier(cl),
                ]);
            }
            i += n;
        }
        rows.push(vec![
            format!("Total {qui}"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            entier(m),
            entier(a),
            entier(l),
        ]);
        // The heading stays with the start of its table.
        p.assurer(11.0 * 1.6 + 7.5 * 1.25 * 4.0 + 20.0);
        p.titre(
            9.5,
            &format!("{qui} : {} mis à disposition, {} attribués, {} baux signés", entier(m), entier(a), entier(l)),
        );
        p.tableau(&widths, &right, &rows, 7.5);
    }
    if groupes.len() > 1 {
        let [m, a, l] = somme(&b.detail.iter().collect::<Vec<_>>());
        p.texte(
            8.5,
            &format!(
                "Total de la ventilation : {} mis à disposition, {} attribués, {} baux signés.",
                entier(m),
                entier(a),
                entier(l)
            ),
        );
    }
}

/// The alerts, the late answers, the register rows set aside, the signatures.
fn fin_pdf(p: &mut Pdf, b: &Bilan) {
    // Nothing after the alerts but the signatures: they go together (never a signature block
    // alone on its page).
    if b.retards_de_reponse.is_empty() && b.signalements.is_empty() && b.rejets.is_empty() {
        let alertes: f32 = if b.alertes.is_empty() {
            p.hauteur_texte(8.5, "Aucune alerte.")
        } else {
            b.alertes.iter().map(|a| p.hauteur_texte(8.5, &format!("• {}", a.detail))).sum()
        };
        let h = 11.0 * 1.6 + alertes + p.hauteur_signatures(&signataires(b));
        if h < 400.0 {
            p.assurer(h);
        }
    } else if b.signalements.is_empty() && b.rejets.is_empty() {
        p.garder_pour_la_suite = p.hauteur_signatures(&signataires(b));
    }
    p.titre(11.0, "Alertes");
    if b.alertes.is_empty() {
        p.texte(8.5, "Aucune alerte.");
    }
    for a in &b.alertes {
        p.texte(8.5, &format!("• {}", a.detail));
    }
    if !b.retards_de_reponse.is_empty() {
        p.titre(11.0, "Mises à disposition sans réponse après leur échéance");
        let rows: Vec<Vec<String>> = std::iter::once(vec![
            "Bailleur".to_string(),
            "Logement".into(),
            "Réservataire".into(),
            "Mise à disposition".into(),
            "Échéance".into(),
        ])
        .chain(b.retards_de_reponse.iter().map(|r| {
            vec![
                r.bailleur.clone(),
                r.reference.clone(),
                libelle_reservataire(&r.reservataire),
                date_fr(&r.mise_a_disposition.to_string()),
                date_fr(&r.echeance.to_string()),
            ]
        }))
        .collect();
        p.tableau(&[150.0, 120.0, 170.0, 100.0, 100.0], &[false; 5], &rows, 8.0);
    }
    if !b.signalements.is_empty() || !b.rejets.is_empty() {
        p.titre(11.0, "Lignes du registre signalées ou mises de côté");
        let rows: Vec<Vec<String>> =
            std::iter::once(vec!["Bailleur".to_string(), "Où".into(), "Motif".into(), "Valeur".into()])
                .chain(b.signalements.iter().map(|s| {
                    vec![s.bailleur.clone(), format!("logement {}", s.reference), "signalée".into(), s.detail.clone()]
                }))
                .chain(b.rejets.iter().map(|x| {
                    vec![
                        x.bailleur.clone(),
                        format!(
                            "{}{}, ligne {}",
                            x.fichier,
                            x.feuille.as_deref().map(|f| format!(", feuille {f}")).unwrap_or_default(),
                            x.ligne
                        ),
                        crate::suivi::motif_en_clair(&x.motif),
                        x.valeur.clone(),
                    ]
                }))
                .collect();
        p.garder_pour_la_suite = p.hauteur_signatures(&signataires(b));
        p.tableau(&[140.0, 250.0, 120.0, 250.0], &[false; 4], &rows, 8.0);
    }
    p.signatures(None, &signataires(b));
}

/// The base of the realised share, in words: « 3 logements décomptés sur 3 ».
fn base_du_realise(x: &crate::suivi::bilan::BilanReservataire) -> String {
    format!(
        "{} sur {}",
        crate::format::pluriel(x.decomptes, "logement décompté", "logements décomptés"),
        entier(x.decomptes_du_perimetre)
    )
}

#[cfg(test)]
mod tests_reference {
    #[test]
    fn the_reference_names_the_reservataire_a_bilan_is_addressed_to() {
        let r = |x: Option<&str>| {
            let x: Option<crate::model::Reservataire> = x.map(|x| x.parse().unwrap());
            super::reference_de(Some("Habitat Azur"), None, "2024-01-01", "2024-12-31", x.as_ref())
        };
        assert_eq!(r(None), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31");
        assert_eq!(r(Some("etat")), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31-ETAT");
        assert_eq!(r(Some("commune:06004")), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31-COMMUNE-06004");
    }
}
