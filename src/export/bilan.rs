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
use crate::format::{date_fr, entier, nombre_fr, pourcentage};
use crate::suivi::bilan::{Bilan, BilanReservataire};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};
use std::path::Path;

const COLONNES: [&str; 14] = [
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
    "En cours",
    "Chutes",
    "Taux de chute",
];

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
    format!("Bilan du flux — {} — {qui}{ou}", periode(b))
}

fn ligne(r: &BilanReservataire) -> Vec<String> {
    vec![
        libelle_reservataire(&r.id),
        r.decompte.label().to_string(),
        entier(r.objectif),
        nombre_fr(r.objectif_periode, 1),
        entier(r.mises_a_disposition),
        entier(r.avec_candidats),
        entier(r.examines_cal),
        entier(r.attributions),
        entier(r.baux_signes),
        entier(r.decomptes),
        nombre_fr(r.ecart, 1),
        entier(r.en_cours),
        entier(r.chutes),
        pourcentage(r.taux_chute),
    ]
}

/// A sheet name Excel accepts (31 characters, no `[]:*?/\`), unique in the workbook.
fn nom_feuille(base: &str, pris: &mut Vec<String>) -> String {
    let clean: String = base.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let mut name = clean.clone();
    let mut i = 2;
    while pris.contains(&name.to_lowercase()) {
        name = format!("{} {i}", clean.chars().take(25).collect::<String>());
        i += 1;
    }
    pris.push(name.to_lowercase());
    name
}

struct Formats {
    head: Format,
    num: Format,
    dec: Format,
    pct: Format,
    cell: Format,
    bold: Format,
}

fn write_row(ws: &mut Worksheet, f: &Formats, r: u32, x: &BilanReservataire) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.write_string_with_format(r, 0, libelle_reservataire(&x.id), &f.cell)?;
    ws.write_string_with_format(r, 1, x.decompte.label(), &f.cell)?;
    ws.write_number_with_format(r, 2, x.objectif as f64, &f.num)?;
    ws.write_number_with_format(r, 3, x.objectif_periode, &f.dec)?;
    for (j, n) in [x.mises_a_disposition, x.avec_candidats, x.examines_cal, x.attributions, x.baux_signes, x.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.num)?;
    }
    ws.write_number_with_format(r, 10, x.ecart, &f.dec)?;
    ws.write_number_with_format(r, 11, x.en_cours as f64, &f.num)?;
    ws.write_number_with_format(r, 12, x.chutes as f64, &f.num)?;
    ws.write_number_with_format(r, 13, x.taux_chute, &f.pct)?;
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
        num: Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0"),
        dec: Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0.0"),
        pct: Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        cell: Format::new().set_border(FormatBorder::Thin),
        bold: Format::new().set_bold().set_font_size(13),
    };
    let mut wb = Workbook::new();
    let mut pris = Vec::new();
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Consolidation", &mut pris))?;
    ws.write_string_with_format(0, 0, titre(b), &f.bold)?;
    for (j, h) in COLONNES.iter().enumerate() {
        ws.write_string_with_format(2, j as u16, *h, &f.head)?;
    }
    for (i, x) in b.reservataires.iter().enumerate() {
        write_row(ws, &f, 3 + i as u32, x)?;
    }
    let mut r = 4 + b.reservataires.len() as u32;
    ws.write_string_with_format(r, 0, "Hors flux (soustraits)", &f.head)?;
    ws.write_string_with_format(r, 1, "Prévus", &f.head)?;
    ws.write_string_with_format(r, 2, "Réalisés (baux signés)", &f.head)?;
    for h in crate::suivi::HorsFlux::ALL {
        let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
        r += 1;
        ws.write_string_with_format(r, 0, h.label(), &f.cell)?;
        ws.write_number_with_format(r, 1, v.prevus as f64, &f.num)?;
        ws.write_number_with_format(r, 2, v.realises as f64, &f.num)?;
    }
    r += 2;
    for a in &b.alertes {
        ws.write_string(r, 0, format!("Alerte : {}", a.detail))?;
        r += 1;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 30)?;
    for j in 2..14 {
        ws.set_column_width(j, 13)?;
    }
    for x in &b.reservataires {
        let ws = wb.add_worksheet();
        ws.set_name(nom_feuille(&libelle_reservataire(&x.id), &mut pris))?;
        ws.write_string_with_format(0, 0, format!("{} — {}", libelle_reservataire(&x.id), titre(b)), &f.bold)?;
        for (j, h) in COLONNES.iter().enumerate() {
            ws.write_string_with_format(2, j as u16, *h, &f.head)?;
        }
        write_row(ws, &f, 3, x)?;
        if let Some(rel) = x.reliquat {
            ws.write_string(5, 0, "Reliquat reporté sur l'année suivante")?;
            ws.write_number_with_format(5, 2, rel as f64, &f.num)?;
        }
        ws.write_string(6, 0, format!("Part des décomptes de la période ({})", x.perimetre))?;
        ws.write_number_with_format(6, 2, x.part_realisee, &f.pct)?;
        ws.write_string(7, 0, format!("Taux de la convention ({})", x.perimetre))?;
        ws.write_number_with_format(7, 2, x.taux_convention, &f.pct)?;
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
        for (rr, d) in (15u32..).zip(b.detail.iter().filter(|d| d.reservataire == x.id)) {
            write_detail(ws, rr, 0, d, &f)?;
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(1, 30)?;
    }
    // The breakdown as a tidy table, for a pivot table.
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Ventilation", &mut pris))?;
    for (j, h) in ["Réservataire", "Code INSEE"].iter().chain(DETAIL.iter()).enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, d) in b.detail.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, libelle_reservataire(&d.reservataire))?;
        ws.write_string(r, 1, &d.commune)?;
        write_detail(ws, r, 2, d, &f)?;
    }
    ws.autofilter(0, 0, b.detail.len() as u32, 9)?;
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Lignes mises de côté", &mut pris))?;
    for (j, h) in ["Bailleur", "Fichier", "Feuille", "Ligne", "Motif", "Valeur"].iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, x) in b.rejets.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &x.bailleur)?;
        ws.write_string(r, 1, &x.fichier)?;
        ws.write_string(r, 2, x.feuille.clone().unwrap_or_default())?;
        ws.write_number(r, 3, x.ligne as f64)?;
        ws.write_string(r, 4, &x.motif)?;
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

/// A register row's motif in words.
fn motif(m: &str) -> String {
    match m {
        "logement_inconnu" => "logement inconnu du dossier".into(),
        "reservataire_inconnu" => "réservataire inconnu".into(),
        "date_illisible" => "date illisible".into(),
        "reference_manquante" => "référence manquante".into(),
        "bailleur_different" => "ligne d'un autre bailleur".into(),
        "ligne_illisible" => "ligne illisible".into(),
        autre => autre.replace('_', " "),
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
    let territoire =
        b.epci.as_deref().map(crate::consolidate::nom_epci).unwrap_or_else(|| "tous les EPCI du dossier".into());
    let entete = Entete {
        document: titre(b),
        mentions: vec![
            format!("Bailleur : {}", b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into())),
            format!("EPCI : {territoire}"),
            format!("Période : {} (du {} au {})", periode(b), date_fr(&b.debut), date_fr(&b.fin)),
            "Réservataires : tous".into(),
        ],
        edition: date_d_edition(),
        reference: format!(
            "BILAN-{}-{}-{}-{}",
            b.bailleur.as_deref().map(crate::text::slug).unwrap_or_else(|| "tous".into()),
            b.epci.clone().unwrap_or_else(|| "tous".into()),
            b.debut,
            b.fin
        )
        .to_uppercase(),
    };
    let mut p = Pdf::document(true, entete);
    p.titre(13.0, &titre(b));
    p.texte(
        8.5,
        "Chaque étape est comptée à sa propre date dans la période ; chaque libération est décomptée une seule fois, à l'étape de sa convention. Le taux de chute porte sur les mises à disposition de la période conclues à sa fin (bail signé, ou fin sans bail : refus, non-attribution, reprise, réorientation) ; celles encore ouvertes sont « en cours », jamais des chutes.",
    );
    p.titre(11.0, "Avancement par réservataire");
    let rows: Vec<Vec<String>> = std::iter::once(COLONNES.iter().map(|s| s.to_string()).collect())
        .chain(b.reservataires.iter().map(ligne))
        .collect();
    let widths = [130.0, 86.0, 42.0, 42.0, 42.0, 42.0, 46.0, 42.0, 42.0, 44.0, 42.0, 42.0, 42.0, 46.0];
    let right = [false, false, true, true, true, true, true, true, true, true, true, true, true, true];
    p.tableau(&widths, &right, &rows, 7.5);

    p.titre(11.0, "Part réalisée, taux de la convention, reliquat et chutes par cause");
    let mut head = vec![
        "Réservataire".to_string(),
        "Périmètre du taux".into(),
        "Taux de la convention".into(),
        "Part réalisée des décomptes".into(),
        "Reliquat reporté".into(),
    ];
    head.extend(crate::suivi::bilan::CAUSES_DE_CHUTE.iter().map(|(_, l)| format!("Chutes — {l}")));
    let rows: Vec<Vec<String>> = std::iter::once(head)
        .chain(b.reservataires.iter().map(|x| {
            let mut r = vec![
                libelle_reservataire(&x.id),
                x.perimetre.clone(),
                pourcentage(x.taux_convention),
                pourcentage(x.part_realisee),
                x.reliquat.map(entier).unwrap_or_else(|| "bilan annuel".into()),
            ];
            r.extend(
                crate::suivi::bilan::CAUSES_DE_CHUTE
                    .iter()
                    .map(|(k, _)| entier(x.chutes_par_cause.get(k).copied().unwrap_or(0))),
            );
            r
        }))
        .collect();
    p.tableau(
        &[140.0, 140.0, 60.0, 60.0, 60.0, 75.0, 75.0, 75.0, 75.0],
        &[false, false, true, true, true, true, true, true, true],
        &rows,
        7.5,
    );

    p.titre(11.0, "Hors flux : baux signés par catégorie de soustraits, contre la prévision");
    let rows: Vec<Vec<String>> = std::iter::once(vec![
        "Catégorie".to_string(),
        format!("Prévus ({})", if b.semestre.is_some() { "au prorata de la période" } else { "flux de l'année" }),
        "Réalisés (baux signés)".into(),
        "Écart".into(),
    ])
    .chain(crate::suivi::HorsFlux::ALL.iter().map(|h| {
        let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
        vec![
            h.label().to_string(),
            entier(v.prevus),
            entier(v.realises),
            format!("{:+}", v.realises as i64 - v.prevus as i64),
        ]
    }))
    .collect();
    p.tableau(&[420.0, 110.0, 110.0, 80.0], &[false, true, true, true], &rows, 8.0);

    p.titre(11.0, "Ventilation réglementaire (art. R.441-5-1 du CCH)");
    p.texte(8.5, "Logements proposés (mis à disposition), attribués et baux signés dans la période, par réservataire, commune, typologie, financement, QPV et période de construction.");
    let rows: Vec<Vec<String>> =
        std::iter::once(["Réservataire"].iter().chain(DETAIL.iter()).map(|s| s.to_string()).collect())
            .chain(b.detail.iter().map(|d| {
                vec![
                    libelle_reservataire(&d.reservataire),
                    nom_commune(&d.commune),
                    d.typologie.clone(),
                    d.financement.clone(),
                    if d.qpv { "QPV".into() } else { "hors QPV".into() },
                    d.periode_construction.to_string(),
                    entier(d.mises_a_disposition),
                    entier(d.attributions),
                    entier(d.baux_signes),
                ]
            }))
            .chain(std::iter::once(vec![
                "Total".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                entier(b.detail.iter().map(|d| d.mises_a_disposition).sum()),
                entier(b.detail.iter().map(|d| d.attributions).sum()),
                entier(b.detail.iter().map(|d| d.baux_signes).sum()),
            ]))
            .collect();
    p.tableau(
        &[150.0, 130.0, 60.0, 70.0, 60.0, 90.0, 65.0, 65.0, 65.0],
        &[false, false, false, false, false, false, true, true, true],
        &rows,
        7.5,
    );

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
                        motif(&x.motif),
                        x.valeur.clone(),
                    ]
                }))
                .collect();
        p.tableau(&[140.0, 250.0, 120.0, 250.0], &[false; 4], &rows, 8.0);
    }
    p.signatures(None, &signataires(b));
    p.save(out)
}
