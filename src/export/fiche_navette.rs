//! The fiche navette: the form a bailleur sends a réservataire when a dwelling is made
//! available. Blank (protected layout, drop-down lists that accept other values, the reply
//! deadline computed from the date of mise à disposition with the holidays of a table the user
//! can complete) or pre-filled with everything the dossier knows of one dwelling — and, for a
//! mise à disposition of the register, its deadline computed by the program as `delai` does
//! (the convention's rule and days, the holidays of the dwelling's département).

use super::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
    save_workbook,
};
use crate::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use crate::export::classeur::Typographie;
use crate::model::{Date, IndividuelCollectif, Reservataire};
use crate::store::Dossier;
use crate::suivi::calendrier::{Calendrier, RegleDelai};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatBorder, Formula, Workbook,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The form's fields, in order: (key, label, drop-down list name if any).
pub const CHAMPS: &[(&str, &str, Option<&str>)] = &[
    ("reservataire", "Réservataire", Some("reservataires")),
    ("bailleur", "Bailleur", None),
    ("contact", "Contact chez le bailleur (nom, téléphone, courriel)", None),
    ("reference", "Référence du logement", None),
    ("date_mise_a_disposition", "Date de mise à disposition (envoi de cette fiche)", None),
    ("date_preavis", "Date de réception du préavis du locataire", None),
    ("preavis", "Préavis du locataire", Some("preavis")),
    ("date_disponibilite", "Date de disponibilité du logement", None),
    ("date_reponse", "Réponse attendue au plus tard le", None),
    ("adresse", "Adresse", None),
    ("commune", "Commune", None),
    ("epci", "EPCI", None),
    ("qpv", "Quartier prioritaire (QPV)", Some("oui_non")),
    ("residence", "Résidence", None),
    ("etage", "Étage", None),
    ("ascenseur", "Ascenseur", Some("oui_non")),
    ("individuel_collectif", "Individuel / collectif", Some("individuel_collectif")),
    ("typologie", "Typologie", Some("typologies")),
    ("surface", "Surface habitable (m²)", None),
    ("financement", "Financement", Some("financements")),
    ("loyer", "Loyer hors charges (€)", None),
    ("charges", "Charges (€)", None),
    ("annexes", "Annexes (parking, cave…)", None),
    ("chauffage", "Chauffage et eau chaude", None),
    ("accessibilite", "Accessibilité / adaptation (PMR)", None),
    ("annee_construction", "Date de construction", None),
    ("services", "Services et équipements à proximité", None),
    ("commentaires", "Commentaires", None),
];

/// The réservataire's reply, filled by the réservataire.
pub const REPONSE: &[(&str, &str, Option<&str>)] = &[
    ("decision", "Décision du réservataire", Some("decisions")),
    ("candidats", "Candidat(s) proposé(s) (nom, numéro unique)", None),
    ("date_de_reponse", "Date de la réponse", None),
    ("signataire", "Nom, qualité et signature", None),
];

const DATES: [&str; 5] =
    ["date_mise_a_disposition", "date_preavis", "date_disponibilite", "date_reponse", "date_de_reponse"];

/// A fiche navette to write: its values by field key, and what its reply deadline follows.
#[derive(Debug, Clone, Default)]
pub struct Navette {
    pub valeurs: BTreeMap<String, String>,
    /// The holidays of the dwelling's département and the convention's days (the national
    /// calendar for a blank form).
    pub calendrier: Calendrier,
    /// The convention's rule (15 jours ouvrés for a 1-month notice, one month for 3 months, by
    /// default).
    pub regle: RegleDelai,
}

impl Navette {
    /// A blank form: the national calendar, the decree's rule.
    pub fn vierge() -> Self {
        Self::default()
    }

    /// Sets the date of mise à disposition and the notice, and the deadline as `delai`
    /// computes it (none when the rule needs the notice and it is not known).
    pub fn mise_a_disposition(&mut self, date: Date, preavis: Option<u8>) {
        let fr = |x: Date| crate::format::date_fr(&x.to_string());
        self.valeurs.insert("date_mise_a_disposition".into(), fr(date));
        if let Some(p) = preavis {
            self.valeurs.insert("preavis".into(), format!("{p} mois"));
        }
        let echeance = match (self.regle, preavis) {
            (RegleDelai::Preavis, None) => None,
            (_, p) => self.calendrier.echeance(date, p.unwrap_or(1), self.regle),
        };
        match echeance {
            Some(e) => self.valeurs.insert("date_reponse".into(), fr(e)),
            None => self.valeurs.remove("date_reponse"),
        };
    }

    /// What the deadline follows, in words (printed on the form).
    pub fn regle_en_clair(&self) -> String {
        let regle = match self.regle {
            RegleDelai::Preavis => {
                "15 jours ouvrés après la mise à disposition pour un préavis d'un mois, un mois pour un préavis de trois mois".to_string()
            }
            RegleDelai::UnMois => "un mois après la mise à disposition, quel que soit le préavis".to_string(),
            RegleDelai::JoursOuvres(n) => format!("{n} jours ouvrés après la mise à disposition"),
        };
        let cal = match self.calendrier.departement.as_deref() {
            Some(d) => format!("jours fériés du {}", crate::format::le_departement(d)),
            None => "jours fériés nationaux".to_string(),
        };
        let pentecote = if self.calendrier.lundi_pentecote_travaille { ", lundi de Pentecôte travaillé" } else { "" };
        format!(
            "Délai de réponse : {regle} ; un délai en mois qui tombe un jour non ouvré est reporté au jour ouvré suivant ({cal}{pentecote})."
        )
    }
}

fn lists(reservataires: &[String]) -> BTreeMap<&'static str, Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    BTreeMap::from([
        ("reservataires", reservataires.to_vec()),
        ("preavis", s(&["1 mois", "3 mois"])),
        ("oui_non", s(&["Oui", "Non"])),
        ("individuel_collectif", s(&["Individuel", "Collectif"])),
        // The typologies of the grids (domaine.md): T6 and more in one.
        ("typologies", s(&["Chambre", "Studio", "T1", "T1 bis", "T2", "T3", "T4", "T5", "T6 et plus"])),
        ("financements", s(&["PLAI", "PLUS", "PLS", "PLI", "Autre"])),
        (
            "decisions",
            s(&["Candidat(s) proposé(s)", "Pas de candidat\u{a0}: logement rendu au bailleur", "Demande de délai"]),
        ),
    ])
}

/// The réservataires of a blank form without a dossier: the departmental ones, then a line for
/// each kind of collectivité to complete (the list accepts any other value).
fn reservataires_generiques() -> Vec<String> {
    let mut v: Vec<String> = [Reservataire::ETAT, Reservataire::FONCTIONNAIRES, Reservataire::ACTION_LOGEMENT]
        .iter()
        .map(|r| libelle_reservataire(r))
        .collect();
    v.extend(
        [
            "Commune de … (à préciser)",
            "EPCI … (à préciser)",
            "Département … (à préciser)",
            "Région … (à préciser)",
            "Autre réservataire (à préciser)",
        ]
        .map(String::from),
    );
    v
}

/// What the dossier knows of one dwelling, by field key, with the convention's deadline rule and
/// the holidays of the dwelling's département.
pub fn valeurs(d: &Dossier, bailleur: &str, reference: &str, reservataire: &str) -> Result<Navette, ExportError> {
    let l = d.logement_actif(bailleur, reference)?.ok_or_else(|| {
        ExportError::Donnees(format!("logement « {bailleur}:{reference} » introuvable dans le dossier"))
    })?;
    let mut v = BTreeMap::new();
    let mut put = |k: &str, s: String| {
        if !s.trim().is_empty() {
            v.insert(k.to_string(), s);
        }
    };
    put("reservataire", libelle_reservataire(reservataire));
    put("bailleur", bailleur.to_string());
    put("contact", d.coordonnees_du_bailleur(bailleur)?.correspondant_complet());
    put("reference", reference.to_string());
    put("commune", format!("{} ({})", nom_commune(&l.commune), l.commune));
    put("epci", nom_epci(&l.epci));
    put("qpv", if l.qpv { "Oui" } else { "Non" }.into());
    let ic = match l.individuel_collectif {
        IndividuelCollectif::Individuel => "Individuel",
        IndividuelCollectif::Collectif => "Collectif",
    };
    put("individuel_collectif", ic.into());
    put("typologie", if l.typologie == "T6+" { "T6 et plus".to_string() } else { l.typologie });
    put("financement", l.financement.as_str().to_string());
    put("annee_construction", l.annee_construction.map(|a| a.to_string()).unwrap_or_default());
    // Optional columns of the bailleur's file, from the raw row and its recorded mapping.
    for (key, value) in d.complements_du_logement(bailleur, reference)? {
        put(key, value);
    }
    let departement = crate::suivi::departement_de(&l.commune);
    Ok(Navette {
        valeurs: v,
        calendrier: crate::suivi::calendrier_de_la_convention(d, bailleur, reservataire, departement.as_deref()),
        regle: crate::suivi::regle_delai(d, bailleur, reservataire),
    })
}

/// The form pre-filled for a mise à disposition of the register: the dwelling, the réservataire,
/// the notice, the date of availability and the reply deadline, computed as `delai` does.
pub fn valeurs_mise_a_disposition(d: &Dossier, m: &crate::suivi::MiseADisposition) -> Result<Navette, ExportError> {
    let reservataire = m.reservataire.clone().unwrap_or(Reservataire::ETAT);
    let mut n = valeurs(d, &m.bailleur, &m.reference, &reservataire)?;
    if m.reservataire.is_none() {
        // Not oriented yet: the réservataire is chosen on the form.
        n.valeurs.remove("reservataire");
    }
    let fr = |x: Date| crate::format::date_fr(&x.to_string());
    if let Some(l) = m.etapes.date_liberation {
        n.valeurs.insert("date_disponibilite".into(), fr(l));
    }
    match m.etapes.date_mise_a_disposition {
        Some(mad) => n.mise_a_disposition(mad, m.etapes.preavis),
        None => {
            if let Some(p) = m.etapes.preavis {
                n.valeurs.insert("preavis".into(), format!("{p} mois"));
            }
        }
    }
    Ok(n)
}

pub fn export(d: Option<&Dossier>, n: &Navette, out: &Path) -> Result<(), ExportError> {
    let reservataires: Vec<String> = match d {
        Some(d) => {
            let cube = crate::consolidate::Cube::load(d)?;
            let mut v: Vec<String> = cube
                .reservataires()
                .iter()
                .filter(|r| **r != Reservataire::NON_RESERVE)
                .map(|r| libelle_reservataire(r))
                .collect();
            for g in reservataires_generiques() {
                if !v.contains(&g) {
                    v.push(g);
                }
            }
            v
        }
        None => reservataires_generiques(),
    };
    match super::extension(out).as_str() {
        "xlsx" => xlsx(n, &reservataires, out),
        "pdf" => pdf(n, out),
        ext => Err(super::extension_refusee(out, ext, &["xlsx", "pdf"])),
    }
}

/// The reference printed on the form.
fn reference_du_document(v: &BTreeMap<String, String>) -> String {
    let mut r = String::from("NAVETTE");
    for k in ["bailleur", "reference"] {
        if let Some(x) = v.get(k) {
            r.push('-');
            r.push_str(&crate::text::slug(x).to_uppercase());
        }
    }
    if let Some(d) = v.get("date_mise_a_disposition").and_then(|x| crate::format::parse_date(x)) {
        r.push_str(&format!("-{:04}{:02}{:02}", d.year, d.month, d.day));
    }
    r
}

/// The years of the holiday table: around the mise à disposition, else around today.
fn annees(n: &Navette) -> std::ops::RangeInclusive<i32> {
    let y = n
        .valeurs
        .get("date_mise_a_disposition")
        .and_then(|x| crate::format::parse_date(x))
        .map(|d| d.year)
        .unwrap_or_else(|| crate::suivi::bilan::aujourd_hui().year);
    (y - 5)..=(y + 10)
}

fn excel_date(d: Date) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(u16::try_from(d.year).ok()?, d.month, d.day).ok()
}

/// Rows of the holiday table (room left for the user's own days).
const FERIES_MAX: u32 = 400;

fn xlsx(n: &Navette, reservataires: &[String], out: &Path) -> Result<(), ExportError> {
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    let valeurs = &n.valeurs;
    let mut wb = Workbook::new();
    let listes = lists(reservataires);
    let ws = wb.add_worksheet();
    ws.set_name("Fiche navette").map_err(e)?;
    ws.set_active(true);
    let titre = Format::new().set_bold().set_font_size(15);
    let petit = Format::new().set_text_wrap().set_font_size(9);
    let section = Format::new().set_bold().set_font_size(12);
    let label = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap();
    let input = Format::new().set_unlocked().set_border(FormatBorder::Thin).set_text_wrap();
    let date = Format::new().set_unlocked().set_border(FormatBorder::Thin).set_num_format("dd/mm/yyyy");
    let computed = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("dd/mm/yyyy")
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2));
    ws.texte_f(0, 0, "Fiche navette — mise à disposition d'un logement", &titre).map_err(e)?;
    ws.fusion(1, 0, 1, 1, n.regle_en_clair(), &petit).map_err(e)?;
    ws.set_row_height(1, 40).map_err(e)?;
    ws.texte(2, 0, format!("Édité le {} — réf. {}", date_d_edition(), reference_du_document(valeurs))).map_err(e)?;
    let row_of = |key: &str| 4 + CHAMPS.iter().position(|(k, _, _)| *k == key).unwrap_or(0) as u32;
    let feries = format!("'Jours fériés'!$A$2:$A${}", FERIES_MAX + 1);
    let mut ranges = BTreeMap::new();
    for (j, name) in listes.keys().enumerate() {
        let col = (b'A' + j as u8) as char;
        ranges.insert(*name, format!("=Listes!${col}$2:${col}${}", listes[name].len().max(1) + 1));
    }
    let ecrire = |ws: &mut rust_xlsxwriter::Worksheet,
                  r: u32,
                  key: &str,
                  list: Option<&str>|
     -> Result<(), ExportError> {
        let v = valeurs.get(key).cloned().unwrap_or_default();
        if key == "date_reponse" && !valeurs.contains_key(key) {
            let (p, d) = (row_of("preavis") + 1, row_of("date_mise_a_disposition") + 1);
            let un_mois = format!("WORKDAY(EDATE(B{d},1)-1,1,{feries})");
            let calcul = match n.regle {
                RegleDelai::Preavis => format!(
                    "IF(B{p}=\"\",\"indiquez le préavis\",IF(B{p}=\"1 mois\",WORKDAY(B{d},15,{feries}),IF(B{p}=\"3 mois\",{un_mois},\"préavis : 1 mois ou 3 mois\")))"
                ),
                RegleDelai::UnMois => un_mois,
                RegleDelai::JoursOuvres(j) => format!("WORKDAY(B{d},{j},{feries})"),
            };
            let f = format!("=IF(B{d}=\"\",\"indiquez la date de mise à disposition\",{calcul})");
            // Cached result empty: applications that do not recalculate on opening show nothing.
            ws.write_formula_with_format(r, 1, Formula::new(f).set_result(" "), &computed).map_err(e)?;
        } else if DATES.contains(&key) {
            let f = if key == "date_reponse" { &computed } else { &date };
            match crate::format::parse_date(&v).and_then(excel_date) {
                Some(x) => ws.write_datetime_with_format(r, 1, &x, f).map_err(e)?,
                None => ws.write_blank(r, 1, f).map_err(e)?,
            };
        } else {
            let nombre = v.replace(',', ".").parse::<f64>().ok();
            match (key, nombre) {
                ("surface" | "loyer" | "charges", Some(x)) => {
                    let f = input.clone().set_num_format(match key {
                        "surface" => "#,##0.0# \"m²\"",
                        _ => "#,##0.00 \"€\"",
                    });
                    ws.write_number_with_format(r, 1, x, &f).map_err(e)?;
                }
                ("etage" | "annee_construction", Some(x)) => {
                    ws.write_number_with_format(r, 1, x, &input).map_err(e)?;
                }
                _ => {
                    ws.write_string_with_format(r, 1, &v, &input).map_err(e)?;
                    // Wrapped text gets the height of its lines (column of 60 characters).
                    let lignes = v.chars().count().div_ceil(58).max(1);
                    if lignes > 1 {
                        ws.set_row_height(r, 15.0 * lignes as f64).map_err(e)?;
                    }
                }
            }
        }
        if let Some(list) = list {
            // A warning, not a stop: a réservataire, a typology or a decision not in the list
            // can still be typed.
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(ranges[list].clone()))
                .set_error_style(DataValidationErrorStyle::Warning);
            ws.add_data_validation(r, 1, r, 1, &dv).map_err(e)?;
        }
        Ok(())
    };
    for (key, lib, list) in CHAMPS {
        let r = row_of(key);
        ws.texte_f(r, 0, *lib, &label).map_err(e)?;
        ecrire(ws, r, key, *list)?;
    }
    let debut = row_of("commentaires") + 2;
    ws.texte_f(debut, 0, "Réponse du réservataire", &section).map_err(e)?;
    for (i, (key, lib, list)) in REPONSE.iter().enumerate() {
        let r = debut + 1 + i as u32;
        ws.texte_f(r, 0, *lib, &label).map_err(e)?;
        ecrire(ws, r, key, *list)?;
        if *key == "signataire" {
            ws.set_row_height(r, 45).map_err(e)?;
        }
    }
    for key in ["services", "commentaires"] {
        ws.set_row_height(row_of(key), 45).map_err(e)?;
    }
    ws.set_column_width(0, 46).map_err(e)?;
    ws.set_column_width(1, 60).map_err(e)?;
    ws.protect();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 1);
    ws.set_header(format!(
        "&L&8Fiche navette — réf. {}&R&8Édité le {}",
        reference_du_document(valeurs),
        date_d_edition()
    ));
    ws.set_footer("&R&8page &P / &N");

    // The holidays the formula counts: a sheet hidden so that it never prints with the form
    // (Format > Afficher shows it: a user in Alsace-Moselle or overseas, or whose convention
    // works Whit Monday, can change them).
    let fs = wb.add_worksheet();
    fs.set_name("Jours fériés").map_err(e)?;
    fs.set_hidden(true);
    let gras = Format::new().set_bold();
    let jour = Format::new().set_num_format("dd/mm/yyyy");
    fs.write_string_with_format(0, 0, "Jour férié", &gras).map_err(e)?;
    fs.write_string_with_format(0, 1, "Nom", &gras).map_err(e)?;
    let mut r = 1;
    for y in annees(n) {
        for (d, nom) in n.calendrier.feries(y) {
            if let Some(x) = excel_date(d) {
                fs.write_datetime_with_format(r, 0, &x, &jour).map_err(e)?;
                fs.write_string(r, 1, nom).map_err(e)?;
                r += 1;
            }
        }
    }
    fs.write_string(
        0,
        3,
        "Jours comptés non ouvrés par la date de réponse de la fiche (avec les samedis et dimanches). Ajoutez sous la liste les jours propres à votre convention ou à votre département.",
    )
    .map_err(e)?;
    fs.set_column_width(0, 14).map_err(e)?;
    fs.set_column_width(1, 28).map_err(e)?;
    fs.set_column_width(3, 70).map_err(e)?;

    // Lists on a hidden sheet, referenced by the drop-downs (no 255-character limit).
    let ls = wb.add_worksheet();
    ls.set_name("Listes").map_err(e)?;
    for (j, (name, values)) in listes.iter().enumerate() {
        ls.write_string(0, j as u16, *name).map_err(e)?;
        for (i, v) in values.iter().enumerate() {
            ls.write_string(1 + i as u32, j as u16, v).map_err(e)?;
        }
    }
    ls.set_hidden(true);
    save_workbook(&mut wb, out)
}

/// A value as the form prints it: « 61,8 m² », « 355,33 € ».
fn en_clair(key: &str, v: &str) -> String {
    let nombre = v.trim().replace(',', ".").parse::<f64>().ok();
    match (key, nombre) {
        ("surface", Some(x)) => {
            format!("{}\u{a0}m²", crate::format::nombre_fr(x, if x.fract() == 0.0 { 0 } else { 1 }))
        }
        ("loyer" | "charges", Some(x)) => format!("{}\u{a0}€", crate::format::nombre_fr(x, 2)),
        _ => v.to_string(),
    }
}

fn pdf(n: &Navette, out: &Path) -> Result<(), ExportError> {
    let v = &n.valeurs;
    let mut mentions = vec![];
    for (k, quoi) in [("bailleur", "Bailleur"), ("reservataire", "Réservataire"), ("reference", "Logement")] {
        if let Some(x) = v.get(k) {
            mentions.push(format!("{quoi} : {x}"));
        }
    }
    let entete = Entete {
        document: "Fiche navette — mise à disposition d'un logement".into(),
        mentions,
        edition: date_d_edition(),
        reference: reference_du_document(v),
    };
    let mut p = Pdf::document(false, entete);
    p.texte(8.0, &n.regle_en_clair());
    let w = [200.0, p.largeur() - 200.0];
    let mut rows = vec![vec!["Rubrique".to_string(), "Renseignement".to_string()]];
    for (key, lib, _) in CHAMPS {
        let mut x = v.get(*key).map(|x| en_clair(key, x)).unwrap_or_default();
        if *key == "date_reponse" && x.is_empty() {
            x = "à calculer à partir de la date de mise à disposition (règle ci-dessus)".into();
        }
        rows.push(vec![lib.to_string(), x]);
    }
    p.tableau(&w, &[false, false], &rows, 7.5);
    let mut rows = vec![vec!["Réponse du réservataire".to_string(), "À remplir par le réservataire".to_string()]];
    for (_, lib, _) in REPONSE {
        // Room to write by hand.
        rows.push(vec![lib.to_string(), "\u{a0}\n\u{a0}".to_string()]);
    }
    p.tableau(&w, &[false, false], &rows, 7.5);
    p.save(out)
}
