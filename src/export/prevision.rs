//! The forecast of the year's soustraits (CCH R.441-5: the réservataires receive it before 28
//! February): by category of the one list of soustraits and by EPCI, from the flux parameters of
//! year N (the EPCI's part of the departmental flux when that governs the year), with the
//! justifications entered and, beside each figure, the hors-flux leases of year N−1 from the
//! register.

use super::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
    save_workbook,
};
use crate::consolidate::nom_epci;
use crate::export::classeur::Typographie;
use crate::flux::Soustrait;
use crate::format::entier;
use crate::reference::reference;
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// One column of the forecast: an EPCI, or a département's total.
#[derive(Debug, Clone)]
pub struct ColonnePrevision {
    pub titre: String,
    pub epci: Option<String>,
    pub liberations: u64,
    pub flux: u64,
    pub prevus: BTreeMap<Soustrait, u64>,
    /// Hors-flux leases of the previous year in the register.
    pub realises_n_1: BTreeMap<Soustrait, u64>,
    pub justifications: BTreeMap<Soustrait, String>,
    /// The prefect's agreements recorded (their references), by category.
    pub accords: BTreeMap<Soustrait, String>,
    /// How the mutations were set when no number was typed (« 10 % des libérations par
    /// défaut… »): the réservataires read why, as in the annex.
    pub methode_mutations: Option<String>,
    /// The parameters were saved for the year.
    pub saisis: bool,
}

pub struct Prevision {
    pub bailleur: String,
    pub annee: i32,
    pub colonnes: Vec<ColonnePrevision>,
    /// Whether the register holds any lease of year N−1 (else « — », not 0).
    pub registre_n_1: bool,
    /// Whether the bailleur has a register at all (a register imported or a mise à disposition
    /// typed): without one, « aucun registre », not « aucun bail de N−1 ».
    pub registre: bool,
    /// The réservataires it is sent to (those with a share of the year's flux), by name.
    pub destinataires: Vec<String>,
    /// The bailleur's address and correspondent.
    pub coordonnees: crate::store::bailleurs::Coordonnees,
    /// What each departmental total covers when the dossier is not the whole département (its
    /// EPCIs, the dwellings set aside as outside the territory), said once.
    pub couvertures: Vec<String>,
}

pub fn calculer(d: &Dossier, bailleur: &str, annee: i32) -> Result<Prevision, ExportError> {
    let par_epci = crate::flux::groupes_par_epci(d, bailleur)?;
    if par_epci.is_empty() {
        return Err(ExportError::Donnees(format!("aucun logement du bailleur « {bailleur} » dans le dossier")));
    }
    // Hors-flux leases of N−1, by EPCI and category.
    let mads = d.mises_a_disposition(Some(&[bailleur.to_string()]), None)?;
    let mut realises: BTreeMap<(String, Soustrait), u64> = BTreeMap::new();
    let mut registre_n_1 = false;
    for m in &mads {
        if m.etapes.date_bail.is_some_and(|b| b.year == annee - 1) {
            registre_n_1 = true;
            if let Some(c) = m.hors_flux {
                *realises.entry((m.epci.clone(), c)).or_default() += 1;
            }
        }
    }
    let mut par_dep: BTreeMap<String, Vec<ColonnePrevision>> = BTreeMap::new();
    let mut destinataires: Vec<String> = vec![];
    for (e, g) in par_epci {
        let dep = g
            .first()
            .and_then(|g| reference().commune(&g.commune))
            .map(|c| c.departement.to_string())
            .unwrap_or_default();
        let f = crate::flux::flux_de_l_epci(d, bailleur, &e, annee, &g)?;
        for r in f
            .reservataires
            .iter()
            .filter(|r| r.id != crate::model::Reservataire::NON_RESERVE && (r.logements > 0 || r.stock > 0))
        {
            let nom = crate::consolidate::libelle_reservataire(&r.id);
            if !destinataires.contains(&nom) {
                destinataires.push(nom);
            }
        }
        let gouverne = crate::flux::departement_gouvernant(d, bailleur, &g, annee)?.is_some();
        let p = crate::flux::parametres(d, bailleur, &e, annee)?;
        par_dep.entry(dep).or_default().push(ColonnePrevision {
            titre: nom_epci(&e),
            liberations: f.liberations,
            flux: f.flux,
            prevus: Soustrait::ALL.iter().map(|c| (*c, f.soustraits.get(c.as_str()).copied().unwrap_or(0))).collect(),
            realises_n_1: Soustrait::ALL
                .iter()
                .map(|c| (*c, realises.get(&(e.clone(), *c)).copied().unwrap_or(0)))
                .collect(),
            justifications: Soustrait::ALL
                .iter()
                .map(|c| (*c, f.parametres.justification(*c)))
                .filter(|(_, j)| !j.is_empty())
                .collect(),
            accords: Soustrait::ALL
                .iter()
                .filter_map(|c| f.parametres.accord_prefet(*c).map(|a| (*c, a.to_string())))
                .collect(),
            methode_mutations: crate::export::methode_des_mutations(&f.parametres),
            saisis: gouverne || (p.saisis() && p.annee_source.is_none()),
            epci: Some(e),
        });
    }
    let mut colonnes = vec![];
    let mut couvertures = vec![];
    for (dep, cols) in par_dep {
        let epcis: Vec<String> = cols.iter().filter_map(|c| c.epci.clone()).collect();
        couvertures.extend(crate::export::couverture_du_departement(d, bailleur, &dep, &epcis)?);
        let mut total = ColonnePrevision {
            // Only the EPCIs of the dossier when it is not the whole département.
            titre: if crate::export::dossier_couvre_le_departement(d, &dep) {
                format!("Total du {}", crate::format::le_departement(&dep))
            } else {
                format!("Total des EPCI du dossier ({})", crate::format::le_departement(&dep))
            },
            epci: None,
            liberations: cols.iter().map(|c| c.liberations).sum(),
            flux: cols.iter().map(|c| c.flux).sum(),
            prevus: BTreeMap::new(),
            realises_n_1: BTreeMap::new(),
            justifications: BTreeMap::new(),
            accords: BTreeMap::new(),
            methode_mutations: None,
            saisis: cols.iter().all(|c| c.saisis),
        };
        for c in &cols {
            for (k, n) in &c.prevus {
                *total.prevus.entry(*k).or_default() += n;
            }
            for (k, n) in &c.realises_n_1 {
                *total.realises_n_1.entry(*k).or_default() += n;
            }
        }
        colonnes.extend(cols);
        colonnes.push(total);
    }
    Ok(Prevision {
        bailleur: bailleur.to_string(),
        annee,
        colonnes,
        registre_n_1,
        registre: !mads.is_empty(),
        destinataires,
        coordonnees: d.coordonnees_du_bailleur(bailleur)?,
        couvertures,
    })
}

fn titre(p: &Prevision) -> String {
    format!("Prévision des soustraits {} — {}", p.annee, p.bailleur)
}

/// The bailleur's address and correspondent, and the réservataires it is sent to.
fn identite(p: &Prevision) -> Vec<(&'static str, String)> {
    let c = &p.coordonnees;
    let ou = |s: String, manque: &str| if s.trim().is_empty() { manque.to_string() } else { s };
    vec![
        (
            "Adresse du bailleur",
            ou(c.adresse.trim().to_string(), "non renseignée — à compléter (réglages du bailleur)"),
        ),
        ("Correspondant", ou(c.correspondant_complet(), "non renseigné — à compléter (réglages du bailleur)")),
        (
            "Destinataires",
            if p.destinataires.is_empty() {
                "aucun réservataire n'a de part au flux".into()
            } else {
                p.destinataires.join(", ")
            },
        ),
    ]
}

fn chapeau(p: &Prevision) -> String {
    format!(
        "Libérations de l'année {} que le bailleur prévoit de ne pas proposer aux réservataires (mutations internes, relogements, ventes…), par catégorie et par EPCI, à adresser aux réservataires avant le 28 février {} (article R.441-5 du code de la construction et de l'habitation). En regard, les baux signés hors flux en {} selon le registre des mises à disposition.",
        p.annee,
        p.annee,
        p.annee - 1
    )
}

/// The rows: each category, the total, then the libérations and the flux for context.
/// A row of the forecast: its label, whether it is a total, (forecast N, realised N−1) per column.
type LignePrevision = (String, bool, Vec<(Option<u64>, Option<u64>)>);

fn lignes(p: &Prevision) -> Vec<LignePrevision> {
    let r = |c: &ColonnePrevision, k: Soustrait| p.registre_n_1.then(|| c.realises_n_1.get(&k).copied().unwrap_or(0));
    let mut v = vec![];
    for k in Soustrait::ALL {
        let mut libelle = k.label().to_string();
        if k.accord_prefet() && !libelle.contains("préfet") {
            libelle.push_str(" — accord du préfet");
        }
        v.push((libelle, false, p.colonnes.iter().map(|c| (c.prevus.get(&k).copied(), r(c, k))).collect()));
    }
    v.push((
        "Total des soustraits".into(),
        true,
        p.colonnes
            .iter()
            .map(|c| (Some(c.prevus.values().sum()), p.registre_n_1.then(|| c.realises_n_1.values().sum())))
            .collect(),
    ));
    v.push((
        "Libérations prévisionnelles".into(),
        false,
        p.colonnes.iter().map(|c| (Some(c.liberations), None)).collect(),
    ));
    v.push((
        "Flux annuel réparti entre les réservataires".into(),
        false,
        p.colonnes.iter().map(|c| (Some(c.flux), None)).collect(),
    ));
    v
}

fn justifications(p: &Prevision) -> Vec<String> {
    let mut v = vec![];
    for k in Soustrait::ALL {
        for c in p.colonnes.iter().filter(|c| c.epci.is_some()) {
            if let Some(j) = c.justifications.get(&k) {
                v.push(format!("{} — {} : {j}.", k.court(), c.titre));
            } else if k == Soustrait::Mutations
                && let Some(m) = &c.methode_mutations
            {
                // No justification typed: how the figure was set, never a number unexplained.
                v.push(format!("{} — {} : {m}.", k.court(), c.titre));
            }
            if let Some(a) = c.accords.get(&k) {
                v.push(format!("{} — {} : accord du préfet obtenu ({a}).", k.court(), c.titre));
            }
        }
    }
    v
}

fn avertissements(p: &Prevision) -> Vec<String> {
    let mut v = vec![];
    let sans: Vec<&str> =
        p.colonnes.iter().filter(|c| c.epci.is_some() && !c.saisis).map(|c| c.titre.as_str()).collect();
    if !sans.is_empty() {
        v.push(format!(
            "Paramètres du flux {} non enregistrés pour {} : prévision à confirmer avant envoi.",
            p.annee,
            sans.join(", ")
        ));
    }
    if !p.registre {
        v.push(format!(
            "Aucun registre des mises à disposition pour {} (ni importé ni saisi) : réalisé {} non disponible (« — »).",
            p.bailleur,
            p.annee - 1
        ));
    } else if !p.registre_n_1 {
        v.push(format!(
            "Aucun bail de {} dans le registre des mises à disposition : réalisé {} non disponible (« — »).",
            p.annee - 1,
            p.annee - 1
        ));
    }
    // A deduction that needs the prefect's agreement, until it is recorded for every EPCI.
    for k in Soustrait::ALL.iter().filter(|k| k.accord_prefet()) {
        let sans: Vec<&str> = p
            .colonnes
            .iter()
            .filter(|c| c.epci.is_some() && c.prevus.get(k).copied().unwrap_or(0) > 0 && !c.accords.contains_key(k))
            .map(|c| c.titre.as_str())
            .collect();
        if !sans.is_empty() {
            v.push(format!(
                "{} : déduction soumise à l'accord du préfet, non enregistré pour {} (à obtenir avant envoi).",
                k.court(),
                sans.join(", ")
            ));
        }
    }
    v
}

/// A readable file name: « Prévision des soustraits — Habitat Azur — 2025.pdf ».
pub fn nom_de_fichier(bailleur: &str, annee: i32, extension: &str) -> String {
    format!("Prévision des soustraits — {bailleur} — {annee}.{extension}")
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '-' } else { c })
        .collect()
}

pub fn export(d: &Dossier, bailleur: &str, annee: i32, out: &Path) -> Result<(), ExportError> {
    let p = calculer(d, bailleur, annee)?;
    let ext = super::extension(out);
    match ext.as_str() {
        "xlsx" => xlsx(&p, out),
        "pdf" => pdf(&p, out),
        _ => Err(super::extension_refusee(out, &ext, &["xlsx", "pdf"])),
    }
}

fn cellule(n: Option<u64>) -> String {
    n.map(entier).unwrap_or_else(|| "—".into())
}

fn pdf(p: &Prevision, out: &Path) -> Result<(), ExportError> {
    let entete = Entete {
        document: titre(p),
        mentions: vec![
            format!("Bailleur : {}", p.bailleur),
            format!("{} destinataires", p.destinataires.len()),
            format!("Année {}", p.annee),
        ],
        edition: date_d_edition(),
        reference: format!("PREVISION-SOUSTRAITS-{}-{}", crate::text::slug(&p.bailleur), p.annee).to_uppercase(),
    };
    let mut pdf = Pdf::document(true, entete);
    pdf.marge_cellule = 0.35;
    pdf.titre(13.0, &titre(p));
    pdf.texte(9.5, &chapeau(p));
    for (k, v) in identite(p) {
        pdf.texte(9.0, &format!("{k} : {v}"));
    }
    for a in avertissements(p) {
        pdf.texte(9.0, &format!("Attention : {a}"));
    }
    for c in &p.couvertures {
        pdf.texte(9.0, c);
    }
    pdf.espace(4.0);
    let lignes = lignes(p);
    let n = p.colonnes.len();
    let par_bande = 4;
    let libelle = 300.0;
    for debut in (0..n).step_by(par_bande) {
        let fin = (debut + par_bande).min(n);
        let w = (pdf.largeur() - libelle) / (2 * (fin - debut)) as f32;
        let mut widths = vec![libelle];
        let mut right = vec![false];
        let mut head = vec!["Catégorie".to_string()];
        for c in &p.colonnes[debut..fin] {
            widths.extend([w, w]);
            right.extend([true, true]);
            head.push(format!("{} : prévus {}", c.titre, p.annee));
            head.push(format!("réalisés {}", p.annee - 1));
        }
        let mut rows = vec![head];
        for (l, _, v) in &lignes {
            let mut r = vec![l.clone()];
            for (a, b) in &v[debut..fin] {
                r.push(cellule(*a));
                r.push(if b.is_none() && !l.starts_with("Libérations") && !l.starts_with("Flux") {
                    "—".into()
                } else {
                    b.map(entier).unwrap_or_default()
                });
            }
            rows.push(r);
        }
        if debut > 0 {
            pdf.new_page();
        }
        pdf.tableau(&widths, &right, &rows, 8.5);
    }
    pdf.titre(11.0, "Justifications");
    let j = justifications(p);
    if j.is_empty() {
        pdf.texte(9.0, "Aucune justification saisie.");
    }
    for x in j {
        pdf.texte(9.0, &x);
    }
    pdf.signatures(None, &[format!("Pour le bailleur {}, son représentant légal", p.bailleur)]);
    pdf.save(out)
}

fn xlsx(p: &Prevision, out: &Path) -> Result<(), ExportError> {
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Prévision des soustraits").map_err(e)?;
    let bold = Format::new().set_bold().set_font_size(13);
    let wrap = Format::new().set_text_wrap();
    let alerte = Format::new().set_bold().set_font_color(Color::RGB(0xB00020));
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let cell_total = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_bold();
    let num = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0");
    // « — » (nothing known) stands where a number would: on the right, as in the PDF.
    let tiret = Format::new().set_border(FormatBorder::Thin).set_align(rust_xlsxwriter::FormatAlign::Right);
    let largeur = 60.0 + 16.0 * 2.0 * p.colonnes.len() as f64;
    let derniere = (2 * p.colonnes.len()) as u16;
    ws.texte_f(0, 0, titre(p), &bold).map_err(e)?;
    ws.fusion(1, 0, 1, derniere, chapeau(p), &wrap).map_err(e)?;
    super::classeur::ajuster(ws, 1, &[(&chapeau(p), largeur)]).map_err(e)?;
    ws.texte(2, 0, format!("Édité le {}", date_d_edition())).map_err(e)?;
    let mut r = 3;
    for (k, v) in identite(p) {
        let t = format!("{k} : {v}");
        ws.fusion(r, 0, r, derniere, &t, &wrap).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(&t, largeur)]).map_err(e)?;
        r += 1;
    }
    for a in avertissements(p) {
        ws.texte_f(r, 0, format!("Attention : {a}"), &alerte).map_err(e)?;
        r += 1;
    }
    for c in &p.couvertures {
        ws.fusion(r, 0, r, derniere, c, &wrap).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(c, largeur)]).map_err(e)?;
        r += 1;
    }
    r += 1;
    ws.texte_f(r, 0, "Catégorie", &head).map_err(e)?;
    for (j, c) in p.colonnes.iter().enumerate() {
        ws.texte_f(r, 1 + 2 * j as u16, format!("{} : prévus {}", c.titre, p.annee), &head).map_err(e)?;
        ws.texte_f(r, 2 + 2 * j as u16, format!("{} : réalisés {}", c.titre, p.annee - 1), &head).map_err(e)?;
    }
    let titres: Vec<String> = p.colonnes.iter().map(|c| format!("{} : réalisés {}", c.titre, p.annee - 1)).collect();
    let cellules: Vec<(&str, f64)> = titres.iter().map(|t| (t.as_str(), 16.0)).collect();
    super::classeur::ajuster(ws, r, &cellules).map_err(e)?;
    for (l, total, v) in lignes(p) {
        r += 1;
        ws.texte_f(r, 0, &l, if total { &cell_total } else { &cell }).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(&l, 60.0)]).map_err(e)?;
        for (j, (a, b)) in v.iter().enumerate() {
            for (k, x) in [a, b].iter().enumerate() {
                let c = 1 + 2 * j as u16 + k as u16;
                match x {
                    Some(n) => ws.write_number_with_format(r, c, *n as f64, &num),
                    None => ws.texte_f(
                        r,
                        c,
                        if k == 1 && !l.starts_with("Libérations") && !l.starts_with("Flux") { "—" } else { "" },
                        &tiret,
                    ),
                }
                .map_err(e)?;
            }
        }
    }
    r += 2;
    ws.texte_f(r, 0, "Justifications", &bold).map_err(e)?;
    let justifications = justifications(p);
    // Said, as in the PDF: never a heading over nothing.
    if justifications.is_empty() {
        r += 1;
        ws.texte(r, 0, "Aucune justification saisie.").map_err(e)?;
    }
    for x in justifications {
        r += 1;
        ws.fusion(r, 0, r, derniere, &x, &wrap).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(&x, largeur)]).map_err(e)?;
    }
    r += 2;
    let parties = [format!("Pour le bailleur {}, son représentant légal", p.bailleur)];
    super::classeur::signatures(ws, r, &parties, &[(0, 0)], &[60.0], false).map_err(e)?;
    ws.set_column_width(0, 60).map_err(e)?;
    for j in 0..2 * p.colonnes.len() {
        ws.set_column_width(1 + j as u16, 16).map_err(e)?;
    }
    let reference = format!("PREVISION-SOUSTRAITS-{}-{}", crate::text::slug(&p.bailleur), p.annee).to_uppercase();
    super::classeur::mise_en_page(ws, true, &titre(p), &date_d_edition(), &reference, false).map_err(e)?;
    save_workbook(&mut wb, out)
}
