//! Step 2 — the sheet plan: which sheets of a workbook hold dwellings, their header row and
//! column mapping (refined by the content when a header says little), and the commune or
//! réservataire a sheet's name stands for.

use super::cell::cell_text;
use super::header::{self, Field, HeaderMatch, detect_any_header, detect_header};
use super::normalize::{self, ReservataireResolver};
use super::read::{Remplissage, SheetData, stream_rest};
use crate::reference::{Territoire, reference};
use crate::store::{EnteteDeFeuille, PlanDeFeuille};
use crate::text::{FastSet, clean, key};
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

/// Chooses the data sheets of a workbook and their headers. A sheet is data when its header
/// names the dwelling reference and the réservataire (or its whole name is the réservataire),
/// whatever its name (« Liste », « Synthèse 2 », « Notice »): only an example table under a
/// notice is not. A sheet without a commune column stands for the commune it is
/// named after (« Antibes », « 06004 - Antibes », « Antibes (06) », « Antibes suite »); when its
/// name is no commune (« Valauris »), its rows are kept aside as `commune_inconnue` with the
/// sheet's name — provided another sheet is read, otherwise the file is refused.
pub fn plan_sheets(sheets: &[SheetData]) -> Vec<SheetPlan> {
    // Hidden sheets are all read when no visible one holds dwellings. Beside visible data, a
    // hidden sheet may be a stale copy whose rows would replace the current ones, or the rest
    // of the data: it is read when none of its references is in the sheets read (it completes
    // them), and not read as soon as one is (the summary says so, [`hidden_sheets_not_read`]).
    let visible = plan_these(sheets.iter().filter(|s| !s.hidden));
    if visible.is_empty() {
        return plan_these(sheets.iter());
    }
    let masquees = candidates(sheets.iter().filter(|s| s.hidden));
    if masquees.is_empty() {
        return visible;
    }
    let sheet = |p: &SheetPlan| sheets.iter().find(|s| s.name == p.feuille);
    let mut vues: FastSet<String> = FastSet::default();
    for p in &visible {
        match sheet(p).and_then(|s| references(s, p)) {
            Some(r) => vues.extend(r),
            None => return visible,
        }
    }
    let mut lues = Vec::new();
    for (p, _) in masquees {
        let Some(r) = sheet(&p).and_then(|s| references(s, &p)) else { continue };
        if r.iter().all(|x| !vues.contains(x)) {
            vues.extend(r);
            lues.push(p);
        }
    }
    // In the workbook's order (a later row replaces an earlier one of the same dwelling).
    sheets.iter().filter_map(|s| visible.iter().chain(&lues).find(|p| p.feuille == s.name)).cloned().collect()
}

/// The references under a sheet's header as the import reads them (a total row or the
/// header repeated left out), the rest of a large sheet streamed; `None` when that rest cannot
/// be read.
fn references(s: &SheetData, plan: &SheetPlan) -> Option<FastSet<String>> {
    let c = plan.header.column(Field::Reference)?;
    let entete = plan.header.labels.get(c).map(|l| clean(l).to_lowercase()).unwrap_or_default();
    let mut out = FastSet::default();
    let mut lire = |row: &[Data]| {
        let Some(d) = row.get(c) else { return };
        let t = cell_text(d);
        if !t.is_empty() && t.to_lowercase() != entete && !super::is_total_row(row) {
            out.insert(t.into_owned());
        }
    };
    for (_, row) in s.lignes(plan.header.data_start()) {
        lire(&row);
    }
    if let Some(rest) = &s.rest {
        let from = s.range.end().map(|(r, _)| r + 1).unwrap_or(0);
        let remplissage = Remplissage::new(&s.fusions, from, &s.range);
        let name = s.name.clone().unwrap_or_default();
        let lu = stream_rest(
            &rest.workbook,
            &name,
            from,
            remplissage,
            || None,
            |b| {
                b.iter().for_each(|(_, row)| lire(row));
                true
            },
        );
        lu.ok()?;
    }
    Some(out)
}

/// A hidden sheet with a header of dwellings that was not read: its name, the rows under its
/// header, and how many of its references are in the sheets read (0 when it was left out for
/// another reason, by the user in the window for instance).
pub fn hidden_sheets_not_read(sheets: &[SheetData], plans: &[SheetPlan]) -> Vec<(String, usize, usize)> {
    let mut lues: Option<FastSet<String>> = None;
    sheets
        .iter()
        .filter(|s| s.hidden && !plans.iter().any(|p| p.feuille == s.name))
        .filter_map(|s| {
            let h = detect_header(&s.range)?;
            let height = match (&s.rest, s.range.start()) {
                (Some(rest), Some((first, _))) => (rest.last_row + 1).saturating_sub(first) as usize,
                _ => s.range.height(),
            };
            // The references of the sheets read, gathered once, only when a hidden sheet was
            // left out (rare).
            let lues = lues.get_or_insert_with(|| {
                plans
                    .iter()
                    .filter_map(|p| sheets.iter().find(|s| s.name == p.feuille).and_then(|s| references(s, p)))
                    .flatten()
                    .collect()
            });
            let plan =
                SheetPlan { feuille: s.name.clone(), header: h, commune_feuille: None, reservataire_feuille: None };
            let reprises = references(s, &plan).map_or(0, |r| r.iter().filter(|x| lues.contains(*x)).count());
            Some((s.name.clone().unwrap_or_default(), height.saturating_sub(plan.header.data_start()), reprises))
        })
        .collect()
}

fn plan_these<'a>(sheets: impl Iterator<Item = &'a SheetData>) -> Vec<SheetPlan> {
    let candidates = candidates(sheets);
    if !candidates.iter().any(|(_, connue)| *connue) {
        return Vec::new();
    }
    candidates.into_iter().map(|(p, _)| p).collect()
}

/// The sheets with a header of dwellings, each with its plan and whether its commune is known
/// (a column, or the sheet's name).
fn candidates<'a>(sheets: impl Iterator<Item = &'a SheetData>) -> Vec<(SheetPlan, bool)> {
    let mut candidates: Vec<(SheetPlan, bool)> = Vec::new();
    for s in sheets {
        let name = s.name.as_deref();
        // A sheet per réservataire: its name is the réservataire of every row.
        let (h, reservataire_feuille) = match detect_header(&s.range) {
            Some(h) => (Some(h), None),
            None => match name {
                Some(n) if names_a_reservataire(n) => {
                    (header::detect_header_with(&s.range, false), Some(n.to_string()))
                }
                _ => (None, None),
            },
        };
        let Some(mut h) = h else { continue };
        if numbers_the_rows(&h, &s.range) || is_an_example(s, &h) {
            continue;
        }
        refine_by_content(&mut h, &s.range);
        let (commune_feuille, connue) = if h.has_commune() {
            (None, true)
        } else {
            match name.and_then(commune_of_sheet_name) {
                Some(c) => (Some(c), true),
                None => (Some(name.unwrap_or_default().trim().to_string()), false),
            }
        };
        candidates
            .push((SheetPlan { feuille: s.name.clone(), header: h, commune_feuille, reservataire_feuille }, connue));
    }
    candidates
}

/// An example table in a notice (« Notice », « Mode d'emploi », « Aide »…): its header is
/// introduced by a line that says « Exemple ».
fn is_an_example(s: &SheetData, h: &HeaderMatch) -> bool {
    let doc = s.name.as_deref().map(key).is_some_and(|k| {
        ["notice", "aide", "mode d emploi", "lisez moi", "readme", "read me", "instructions", "legende", "exemple"]
            .iter()
            .any(|p| k.starts_with(p))
    });
    doc && s
        .range
        .rows()
        .take(h.row)
        .any(|r| r.iter().any(|c| key(&cell_text(c)).split(' ').any(|w| w.starts_with("exemple"))))
}

/// The commune a sheet's name stands for, as the rows' commune: the forms of the spec (« Antibes »,
/// « 06004 », « 06004 - Antibes », « Antibes (06) »), and a commune's name followed by its
/// département (« Vallauris 06 ») or by a continuation mark (« Antibes suite », « Antibes 2 »,
/// « Antibes (2) », « ANTIBES bis »). None when the name is no commune (« Valauris », « 2024 »).
fn commune_of_sheet_name(name: &str) -> Option<String> {
    let n = name.trim();
    if names_a_commune(n) {
        return Some(n.to_string());
    }
    // The last word, or what is between the last parentheses.
    let (base, marque) = if let Some(inner) = n.strip_suffix(')') {
        let open = inner.rfind('(')?;
        (&inner[..open], &inner[open + 1..])
    } else {
        let cut = n.rfind(|c: char| c.is_whitespace() || c == '-' || c == '_')?;
        (&n[..cut], &n[cut + 1..])
    };
    let base = base.trim_end_matches(|c: char| c.is_whitespace() || c == '-' || c == '_');
    if base.is_empty() || !names_a_commune(base) {
        return None;
    }
    let m = key(marque);
    if ["suite", "bis", "ter", "fin", "2", "3", "4", "5", "6", "7", "8", "9"].contains(&m.as_str()) {
        return Some(base.to_string());
    }
    // A département: the one of a commune of that name.
    let code = match m.as_str() {
        m if m.len() == 2 && (m.chars().all(|c| c.is_ascii_digit()) || m == "2a" || m == "2b") => m.to_uppercase(),
        m => reference().departements.iter().find(|d| key(&d.nom) == m)?.code.clone(),
    };
    reference().communes_by_name(base).iter().any(|c| c.departement == code).then(|| format!("{base} ({code})"))
}

/// Whether a name is a commune's (a name of a commune, a code of 5 characters, or both).
fn names_a_commune(n: &str) -> bool {
    // « 2024 », « 2024 - Bilan »: a year, not a code that lost its leading zero.
    let first = n.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
    if first.len() == 4 && first.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let r = reference();
    r.resolve_commune(n, &Territoire::Tout).is_ok() || !r.communes_by_name(n).is_empty()
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
        let nom = match s.name.as_deref() {
            Some(n) if commune_of_sheet_name(n).is_none() => {
                format!(" ; « {} » n'est pas le nom d'une commune", n.trim())
            }
            _ => String::new(),
        };
        manque.push(format!(
            "la commune (une colonne « Commune » ou « Code INSEE », ou une feuille par commune nommée d'après elle{nom})"
        ));
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
    let values = premieres_valeurs(range, h, c);
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
            let values = premieres_valeurs(range, h, c);
            if values.len() >= 3 && values.iter().filter(|v| accepts(v)).count() * 10 >= values.len() * 9 {
                h.columns.retain(|(_, col)| *col != c);
                h.columns.push((field, c));
                h.columns.sort_by_key(|(_, col)| *col);
                break;
            }
        }
    }
}

/// The first 200 non-blank values of column `c` under the header: enough to judge what a
/// column holds.
fn premieres_valeurs(range: &calamine::Range<Data>, h: &HeaderMatch, c: usize) -> Vec<String> {
    range
        .rows()
        .skip(h.data_start())
        .filter_map(|r| r.get(c).map(|d| cell_text(d).into_owned()))
        .filter(|v| !v.is_empty())
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(name: Option<&str>, rows: &[&[&str]]) -> SheetData {
        crate::import::tests_util::sheet(name, rows)
    }

    #[test]
    fn a_sheet_is_data_by_its_header_whatever_its_name() {
        // A synthesis has no reference column; a sheet named « Synthèse » with the dwellings'
        // header holds dwellings, and « Feuil1 » without a commune keeps its rows aside.
        let pivot = || sheet(Some("Synthèse"), &[&["Réservataire", "Antibes", "Biot"], &["Etat", "12", "3"]]);
        let synth = sheet(Some("Synthèse"), &[&["Réf", "Contingent", "Commune"], &["V1", "CASA", "Antibes"]]);
        let no_commune = || sheet(Some("Feuil1"), &[&["Réf", "Contingent", "Typo"], &["V1", "CASA", "T2"]]);
        assert!(plan_sheets(&[pivot(), no_commune()]).is_empty());
        let plans = plan_sheets(&[pivot(), synth, no_commune()]);
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].feuille.as_deref(), Some("Synthèse"));
        assert_eq!(plans[0].commune_feuille, None);
        assert_eq!(plans[1].commune_feuille.as_deref(), Some("Feuil1"));
        // An example table under a notice is no data; the same table without « Exemple » is.
        let rows: &[&[&str]] = &[&["Exemple :"], &["Réf", "Contingent", "Commune"], &["EX-1", "CASA", "Antibes"]];
        assert!(plan_sheets(&[sheet(Some("Notice"), rows)]).is_empty());
        assert_eq!(plan_sheets(&[sheet(Some("Notice"), &rows[1..])]).len(), 1);
    }

    #[test]
    fn a_sheet_name_stands_for_a_commune_in_the_documented_forms() {
        for (name, commune) in [
            ("Antibes", Some("Antibes")),
            ("06004", Some("06004")),
            ("06004 - Antibes", Some("06004 - Antibes")),
            ("Antibes (06)", Some("Antibes (06)")),
            ("Antibes suite", Some("Antibes")),
            ("Antibes 2", Some("Antibes")),
            ("Antibes (2)", Some("Antibes")),
            ("ANTIBES bis", Some("ANTIBES")),
            ("Vallauris 06", Some("Vallauris (06)")),
            ("Villeneuve-Loubet", Some("Villeneuve-Loubet")),
            ("Valauris", None),
            ("Antibes 83", None),
            ("2024", None),
            ("Feuil1", None),
        ] {
            assert_eq!(commune_of_sheet_name(name).as_deref(), commune, "{name}");
        }
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
