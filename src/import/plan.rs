//! Step 2 — the sheet plan: which sheets of a workbook hold dwellings, their header row and
//! column mapping (refined by the content when a header says little), and the commune or
//! réservataire a sheet's name stands for.

use super::cell::cell_text;
use super::header::{self, Field, HeaderMatch, detect_any_header, detect_header};
use super::normalize::{self, ReservataireResolver};
use super::read::SheetData;
use crate::reference::{Territoire, reference};
use crate::store::{EnteteDeFeuille, PlanDeFeuille};
use crate::text::key;
use calamine::Data;
use serde::Serialize;
use std::collections::HashMap;

/// How the data sheets of a file were read: recorded with the import.
#[derive(Debug, Clone, Serialize)]
pub struct SheetPlan {
    pub feuille: Option<String>,
    pub header: HeaderMatch,
    /// The sheet's name as the commune of every row, when it has no commune column.
    pub commune_feuille: Option<String>,
    /// The sheet's name as the réservataire of every row, when it has no réservataire column.
    pub reservataire_feuille: Option<String>,
}

/// The plan as the dossier keeps it with the import.
impl From<&SheetPlan> for PlanDeFeuille {
    fn from(p: &SheetPlan) -> Self {
        let h = &p.header;
        PlanDeFeuille {
            feuille: p.feuille.clone(),
            entete: EnteteDeFeuille {
                ligne: h.row,
                lignes: h.rows,
                libelles: h.labels.clone(),
                colonnes: h.columns.clone(),
                score: h.score,
            },
            commune_feuille: p.commune_feuille.clone(),
            reservataire_feuille: p.reservataire_feuille.clone(),
        }
    }
}

/// The plan kept by the dossier, to read a row set aside again.
impl From<PlanDeFeuille> for SheetPlan {
    fn from(p: PlanDeFeuille) -> Self {
        let e = p.entete;
        SheetPlan {
            feuille: p.feuille,
            header: HeaderMatch {
                row: e.ligne,
                rows: e.lignes,
                labels: e.libelles,
                columns: e.colonnes,
                score: e.score,
            },
            commune_feuille: p.commune_feuille,
            reservataire_feuille: p.reservataire_feuille,
        }
    }
}

/// Sheets that are never data: synthesis, pivot tables, notices.
fn is_non_data_sheet(name: &str) -> bool {
    let k = key(name);
    [
        "synthese",
        "notice",
        "tcd",
        "pivot",
        "sommaire",
        "lisez moi",
        "legende",
        "parametre",
        "liste",
        "aide",
        "mode d emploi",
        "graphique",
        "recap",
        "tableau croise",
        "readme",
        "read me",
        "instructions",
        "definitions",
    ]
    .iter()
    .any(|p| k.starts_with(p))
}

/// Chooses the data sheets of a workbook and their headers. Hidden sheets and sheets named
/// like a synthesis or a notice are skipped; a sheet with no commune column must be named
/// after a commune.
pub fn plan_sheets(sheets: &[SheetData]) -> Vec<SheetPlan> {
    let mut plans = Vec::new();
    for s in sheets {
        if s.hidden || s.name.as_deref().is_some_and(is_non_data_sheet) {
            continue;
        }
        // A sheet per réservataire: its name is the réservataire of every row.
        let (h, reservataire_feuille) = match detect_header(&s.range) {
            Some(h) => (Some(h), None),
            None => match &s.name {
                Some(n) if names_a_reservataire(n) => (header::detect_header_with(&s.range, false), Some(n.clone())),
                _ => (None, None),
            },
        };
        let Some(mut h) = h else { continue };
        if numbers_the_rows(&h, &s.range) {
            continue;
        }
        refine_by_content(&mut h, &s.range);
        let commune_feuille = if h.has_commune() {
            None
        } else {
            match &s.name {
                Some(n) if !reference().communes_by_name(n).is_empty() => Some(n.clone()),
                _ => continue,
            }
        };
        plans.push(SheetPlan { feuille: s.name.clone(), header: h, commune_feuille, reservataire_feuille });
    }
    plans
}

/// What each sheet of a workbook gave when none was read, for the refusal to say what was
/// found and what is missing: « feuille « Etat des lieux » : colonnes reconnues « Référence
/// logement » (référence du logement), « Commune » (commune)… ; il manque le réservataire ».
pub fn constat(sheets: &[SheetData]) -> String {
    const MAX_SHEETS: usize = 8;
    let mut parts: Vec<String> = sheets.iter().take(MAX_SHEETS).map(constat_feuille).collect();
    if sheets.len() > MAX_SHEETS {
        parts.push(format!("et {} autres feuilles", sheets.len() - MAX_SHEETS));
    }
    parts.join(" ; ")
}

fn constat_feuille(s: &SheetData) -> String {
    let nom = match &s.name {
        Some(n) => format!("feuille « {n} »{}", if s.hidden { " (masquée)" } else { "" }),
        None => "le fichier".to_string(),
    };
    let Some(h) = detect_any_header(&s.range) else {
        return format!("{nom} : aucune ligne d'en-tête (ni référence du logement ni réservataire)");
    };
    let trouvees: Vec<String> = h
        .columns
        .iter()
        .map(|(f, c)| {
            let label =
                h.labels.get(*c).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
            if key(&label) == key(f.label()) {
                format!("« {label} »")
            } else {
                format!("« {label} » ({})", f.label())
            }
        })
        .collect();
    let mut manque = Vec::new();
    if h.column(Field::Reference).is_none() {
        manque.push("la référence du logement".to_string());
    } else if numbers_the_rows(&h, &s.range) {
        let label = h.column(Field::Reference).and_then(|c| h.labels.get(c)).map(|l| l.trim()).unwrap_or("N°");
        manque.push(format!(
            "la référence du logement (la colonne « {label} » ne fait que numéroter les lignes : 1, 2, 3…)"
        ));
    }
    if h.column(Field::Reservataire).is_none() {
        manque.push(
            "le réservataire (une colonne « Réservataire », « Contingent », « Attributaire »…, ou une feuille par réservataire nommée d'après lui)"
                .to_string(),
        );
    }
    if !h.has_commune() {
        manque.push(
            "la commune (une colonne « Commune » ou « Code INSEE », ou une feuille par commune nommée d'après elle)"
                .to_string(),
        );
    }
    format!(
        "{nom} : ligne {} : colonnes reconnues {} ; il manque {}",
        h.row + 1,
        trouvees.join(", "),
        manque.join(" et ")
    )
}

/// Whether a sheet's whole name is a réservataire label (« Préfecture », « Action Logement »,
/// « Ville d'Antibes », « CD06 »), whatever the territory — never a name that only begins or
/// ends with one: « Etat des lieux », « Etat des lieux 2024 » or « Action Logement 2023 » do not
/// say whose dwellings the sheet holds.
fn names_a_reservataire(name: &str) -> bool {
    let k = key(name);
    // A bare commune name is a sheet per commune, not per réservataire.
    if !reference().communes_by_name(name).is_empty() {
        return false;
    }
    // The département or the région where the dwellings are (domaine.md, labels without a name).
    if ["conseil departemental", "conseil general", "departement", "conseil regional", "region"].contains(&k.as_str())
        || LONGER_LABELS.contains(&k.as_str())
    {
        return true;
    }
    let resolver = ReservataireResolver::new(Territoire::Tout, HashMap::new());
    let Some(r) = resolver.resolve(name) else { return false };
    if name.contains('(') {
        return false;
    }
    // A rule that takes a label followed (or preceded) by any words reads « Etat des lieux » as
    // « Etat »: the name is a whole label only when no part of it is read so.
    let words: Vec<&str> = k.split(' ').collect();
    (1..words.len()).all(|n| {
        let head = format!("{} {FILLER}", words[..n].join(" "));
        let tail = format!("{FILLER} {}", words[n..].join(" "));
        resolver.resolve(&head).as_ref() != Some(&r) && resolver.resolve(&tail).as_ref() != Some(&r)
    })
}

/// A word no label contains, to see whether a rule reads a label followed by anything.
const FILLER: &str = "zqxw";

/// Labels of domaine.md that begin with a shorter label (« Action Logement Services »).
const LONGER_LABELS: &[&str] = &[
    "action logement services",
    "action logement service",
    "etat mal loges",
    "prefecture mal loges",
    "etat publics prioritaires",
    "prefecture fonctionnaires",
    "etat fonctionnaires",
    "contingent prefectoral",
    "contingent prefecture",
    "contingent etat",
    "police nationale",
    "gendarmerie nationale",
    "ministere des armees",
    "centre hospitalier",
];

/// Whether the reference column is a bare « N° » (taken only when no column says more)
/// whose values count the rows, 1, 2, 3… : a row number is not a dwelling (two files of the
/// same bailleur would match their dwellings by row), so such a sheet has no reference.
fn numbers_the_rows(h: &HeaderMatch, range: &calamine::Range<Data>) -> bool {
    let Some(c) = h.column(Field::Reference) else { return false };
    if !h.labels.get(c).is_some_and(|l| header::is_bare_number_label(&key(l))) {
        return false;
    }
    let values: Vec<String> = range
        .rows()
        .skip(h.data_start())
        .filter_map(|r| r.get(c).map(|d| cell_text(d).into_owned()))
        .filter(|v| !v.is_empty())
        .take(200)
        .collect();
    // A total or a note under the table aside, the numbers follow each other from 0 or 1.
    let numbers: Vec<i64> = values.iter().filter_map(|v| v.parse::<i64>().ok()).collect();
    numbers.len() >= 3
        && values.len() - numbers.len() <= (values.len() / 10).max(1)
        && numbers[0] <= 1
        && numbers.windows(2).all(|w| w[1] == w[0] + 1)
}

/// Headers such as « Type de logement » say little: when the individuel/collectif or the
/// typology column is missing, a column whose values are all of that kind is taken for it.
fn refine_by_content(h: &mut HeaderMatch, range: &calamine::Range<Data>) {
    type Accepts = fn(&str) -> bool;
    let checks: [(Field, Accepts); 2] = [
        (Field::IndividuelCollectif, |v| normalize::individuel_collectif(v).is_some()),
        (Field::Typologie, |v| normalize::typologie(v).is_some()),
    ];
    for (field, accepts) in checks {
        if h.column(field).is_some() {
            continue;
        }
        let candidates: Vec<usize> = (0..range.width())
            .filter(|c| match h.columns.iter().find(|(_, col)| col == c) {
                None => true,
                Some((f, _)) => *f == Field::Nature,
            })
            .collect();
        for c in candidates {
            let values: Vec<String> = range
                .rows()
                .skip(h.data_start())
                .filter_map(|r| r.get(c).map(|d| cell_text(d).into_owned()))
                .filter(|v| !v.is_empty())
                .take(200)
                .collect();
            if values.len() >= 3 && values.iter().filter(|v| accepts(v)).count() * 10 >= values.len() * 9 {
                h.columns.retain(|(_, col)| *col != c);
                h.columns.push((field, c));
                h.columns.sort_by_key(|(_, col)| *col);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(name: Option<&str>, rows: &[&[&str]]) -> SheetData {
        crate::import::tests_util::sheet(name, rows)
    }

    #[test]
    fn synthesis_and_unnamed_sheets_are_not_planned() {
        let synth = sheet(Some("Synthèse"), &[&["Réf", "Contingent", "Commune"], &["V1", "CASA", "Antibes"]]);
        let no_commune = sheet(Some("Feuil1"), &[&["Réf", "Contingent", "Typo"], &["V1", "CASA", "T2"]]);
        assert!(plan_sheets(&[synth, no_commune]).is_empty());
    }

    #[test]
    fn a_sheet_named_after_a_commune_is_planned_with_it() {
        let s = sheet(Some("Vallauris"), &[&["Réf", "Contingent", "Typo"], &["V1", "CASA", "T2"]]);
        let plans = plan_sheets(&[s]);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].commune_feuille.as_deref(), Some("Vallauris"));
    }

    #[test]
    fn a_sheet_name_is_a_reservataire_only_as_a_whole_label() {
        for name in [
            "Préfecture",
            "Action Logement",
            "Action Logement Services",
            "Ville d'Antibes",
            "Préfecture fonctionnaires",
            "CD06",
            "Département des Alpes-Maritimes",
            "Conseil départemental",
            "CASA",
        ] {
            assert!(names_a_reservataire(name), "{name}");
        }
        for name in [
            "Etat des lieux",
            "Etat des lieux 2024",
            "ETAT DES LIEUX",
            "Action Logement 2023",
            "Préfecture (copie)",
            "Liste des fonctionnaires",
            "Feuil1",
            "Patrimoine",
        ] {
            assert!(!names_a_reservataire(name), "{name}");
        }
    }

    #[test]
    fn a_sheet_named_etat_des_lieux_without_reservataire_column_is_not_planned() {
        let rows: &[&[&str]] = &[&["Référence", "Commune", "Typologie"], &["V1", "Antibes", "T2"]];
        assert!(plan_sheets(&[sheet(Some("Etat des lieux"), rows)]).is_empty());
        let plans = plan_sheets(&[sheet(Some("Préfecture"), rows)]);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].reservataire_feuille.as_deref(), Some("Préfecture"));
        let c = constat(&[sheet(Some("Etat des lieux"), rows), sheet(Some("Notes"), &[&["Lu le 3 mars"]])]);
        assert_eq!(
            c,
            "feuille « Etat des lieux » : ligne 1 : colonnes reconnues « Référence » (Référence du logement), « Commune », « Typologie » ; il manque le réservataire (une colonne « Réservataire », « Contingent », « Attributaire »…, ou une feuille par réservataire nommée d'après lui) ; feuille « Notes » : aucune ligne d'en-tête (ni référence du logement ni réservataire)"
        );
    }
    #[test]
    fn a_bare_number_column_is_the_reference_only_when_nothing_says_more_and_not_row_numbers() {
        let both = sheet(
            Some("EDL"),
            &[
                &["N°", "N° logement", "Commune", "Réservataire"],
                &["1", "HA-1044", "Antibes", "Etat"],
                &["2", "HA-1373", "Biot", "Etat"],
            ],
        );
        assert_eq!(plan_sheets(&[both])[0].header.column(Field::Reference), Some(1));
        let row_numbers: &[&[&str]] = &[
            &["N°", "Commune", "Réservataire"],
            &["1", "Antibes", "Etat"],
            &["2", "Biot", "Etat"],
            &["3", "Biot", "CASA"],
            &["Total", "", "3"],
        ];
        assert!(plan_sheets(&[sheet(Some("EDL"), row_numbers)]).is_empty());
        assert!(
            constat(&[sheet(Some("EDL"), row_numbers)])
                .contains("il manque la référence du logement (la colonne « N° » ne fait que numéroter les lignes")
        );
        let dwellings = sheet(
            Some("EDL"),
            &[
                &["N°", "Commune", "Réservataire"],
                &["1044", "Antibes", "Etat"],
                &["1373", "Biot", "Etat"],
                &["2001", "Biot", "CASA"],
            ],
        );
        assert_eq!(plan_sheets(&[dwellings])[0].header.column(Field::Reference), Some(0));
    }
}
