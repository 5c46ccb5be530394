//! Finding a register's header: the row whose labels name the dwelling and a date of the
//! follow-up, each column read as the field it names best; the columns not read, in words.

use super::Champ;
use super::champs::{LOGEMENT, SUIVI};
use crate::import::cell_text;
use crate::import::header::Field;
use crate::import::read::SheetData;
use crate::text::key;

/// The header of a register: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq)]
pub struct Entete {
    pub ligne: usize,
    pub colonnes: Vec<(Champ, usize)>,
    /// The quartile column says whether the household is of the first quartile (« 1er
    /// quartile » : Oui / Non), not which quartile.
    pub quartile_oui_non: bool,
    /// The préavis column says Oui / Non: « Préavis réduit » (Oui: one month, Non: three) or
    /// « Préavis normal » (Oui: three months); the notice « Oui » means.
    pub preavis_oui: Option<u8>,
}

impl Entete {
    pub fn colonne(&self, c: Champ) -> Option<usize> {
        self.colonnes.iter().find(|(x, _)| *x == c).map(|(_, i)| *i)
    }
}

impl Entete {
    /// What the register lacks to be read, in words: a date of mise à disposition, and a
    /// réservataire (unless a hors-flux column tells the rows without one). Empty: readable.
    pub fn manque(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.colonne(Champ::DateMiseADisposition).is_none() {
            m.push("la date de mise à disposition (« Date de mise à disposition », « Date MAD », « Date envoi fiche navette »)");
        }
        if self.colonne(Champ::Logement(Field::Reservataire)).is_none() && self.colonne(Champ::HorsFlux).is_none() {
            m.push("le réservataire (« Réservataire », « Contingent », « Destinataire »)");
        }
        m
    }
}

/// The header's labels, each with the column it was read as (`None`: not read).
pub fn colonnes(sheet: &SheetData, e: &Entete) -> Vec<(String, Option<Champ>)> {
    let Some(row) = sheet.range.rows().nth(e.ligne) else { return Vec::new() };
    row.iter()
        .enumerate()
        .map(|(c, d)| (cell_text(d).split_whitespace().collect::<Vec<_>>().join(" "), c))
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, c)| (t, e.colonnes.iter().find(|(_, i)| *i == c).map(|(x, _)| *x)))
        .collect()
}

/// The column of the follow-up a header evokes by its words (« Date de la commission
/// d'attribution », « CAL le », « Nom du candidat »), when it was not read as one.
fn etape_evoquee(label_key: &str) -> Option<Champ> {
    let mots: Vec<&str> = label_key.split(' ').collect();
    let un = |ws: &[&str]| mots.iter().any(|m| ws.contains(m));
    let debut = |ps: &[&str]| mots.iter().any(|m| ps.iter().any(|p| m.starts_with(p)));
    let date = un(&["date", "dt", "le"]);
    Some(if debut(&["preavis"]) {
        Champ::Preavis
    } else if un(&["liberation", "libere", "conge", "vacance", "resiliation", "depart", "sortie"])
        || (un(&["fin"]) && un(&["bail"]))
    {
        Champ::DateLiberation
    } else if debut(&["cand"]) || un(&["designation", "positionnement"]) {
        if date { Champ::DateCandidats } else { Champ::Candidats }
    } else if un(&["cal", "caleol", "cail", "cam", "commission"]) || debut(&["attribu"]) {
        if date { Champ::DateCal } else { Champ::DecisionCal }
    } else if un(&["decision", "avis"]) {
        Champ::DecisionCal
    } else if un(&["bail", "baux", "emmenagement", "signature", "contrat"]) {
        Champ::DateBail
    } else if un(&["mad", "navette", "dispo", "disposition", "notification"]) {
        Champ::DateMiseADisposition
    } else if label_key.contains("hors flux") || debut(&["soustrait", "mutation"]) {
        Champ::HorsFlux
    } else {
        return None;
    })
}

/// The columns not read whose header evokes a step of the follow-up, each with what it means
/// for the register in words: « colonne « Date de la CAL » non lue : son titre évoque la date de
/// passage en CALEOL, qu'aucune colonne ne donne — les examinés en CALEOL comptent 0 ; … ».
pub fn etapes_non_lues(sheet: &SheetData, e: &Entete) -> Vec<(String, String)> {
    let cols = colonnes(sheet, e);
    let titre = |c: usize| {
        sheet
            .range
            .rows()
            .nth(e.ligne)
            .and_then(|r| r.get(c))
            .map(|d| cell_text(d).split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let candidats = e.colonne(Champ::Candidats).is_some() || e.colonne(Champ::DateCandidats).is_some();
    cols.iter()
        .filter(|(_, c)| c.is_none())
        .filter_map(|(t, _)| etape_evoquee(&key(t)).map(|c| (t, c)))
        .map(|(t, c)| {
            let (quoi, exemple, effet) = match c {
                Champ::DateLiberation => ("la date de libération", "Date de libération", ""),
                Champ::Preavis => (
                    "le préavis",
                    "Préavis",
                    "les délais de réponse qui en dépendent sont comptés comme pour un préavis d'un mois",
                ),
                Champ::DateMiseADisposition => ("la date de mise à disposition", "Date de mise à disposition", ""),
                Champ::Candidats | Champ::DateCandidats if !candidats => (
                    if c == Champ::Candidats { "le nombre de candidats" } else { "la date des candidats" },
                    if c == Champ::Candidats { "Nb candidats" } else { "Date présentation candidats" },
                    "les mises à disposition avec candidats comptent 0",
                ),
                Champ::Candidats => ("le nombre de candidats", "Nb candidats", ""),
                Champ::DateCandidats => ("la date des candidats", "Date présentation candidats", ""),
                Champ::DateCal => ("la date de passage en CALEOL", "Date CALEOL", "les examinés en CALEOL comptent 0"),
                Champ::DecisionCal => ("la décision CALEOL", "Décision CALEOL", "les attribués comptent 0"),
                Champ::DateBail => ("la date de signature du bail", "Date de signature du bail", "les baux signés comptent 0"),
                _ => ("la catégorie hors flux", "Catégorie hors flux", "les lignes hors flux ne sont pas reconnues"),
            };
            let dit = match e.colonne(c).and_then(titre) {
                Some(y) => format!("colonne « {t} » non lue : son titre évoque {quoi}, déjà lue dans « {y} »"),
                None => format!(
                    "colonne « {t} » non lue : son titre évoque {quoi}, qu'aucune colonne ne donne{} ; si c'est elle, renommez-la « {exemple} » et réimportez le registre",
                    if effet.is_empty() { String::new() } else { format!(" — {effet}") }
                ),
            };
            (t.clone(), dit)
        })
        .collect()
}

/// « Référence du logement » → « référence du logement » (« DALO » stays).
fn minuscule(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.clone().next()) {
        (Some(a), Some(b)) if !b.is_uppercase() => a.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// The header's labels in words: « « Réf. logement » (référence du logement), … ; non lues :
/// « Observations » ».
pub fn colonnes_en_clair(sheet: &SheetData, e: &Entete) -> String {
    let cols = colonnes(sheet, e);
    let lues: Vec<String> =
        cols.iter().filter_map(|(t, c)| c.map(|c| format!("« {t} » ({})", minuscule(c.nom())))).collect();
    let ignorees: Vec<String> = cols.iter().filter(|(_, c)| c.is_none()).map(|(t, _)| format!("« {t} »")).collect();
    let mut s = format!("colonnes lues : {}", if lues.is_empty() { "aucune".into() } else { lues.join(", ") });
    if !ignorees.is_empty() {
        s.push_str(&format!(" ; non lues : {}", ignorees.join(", ")));
    }
    s
}

/// Finds the header among the first rows: it must name the dwelling and a date of the
/// follow-up (mise à disposition or lease).
pub fn entete(sheet: &SheetData) -> Option<Entete> {
    let width = sheet.range.width();
    let mut best: Option<(u32, Entete)> = None;
    for (i, row) in sheet.range.rows().take(60).enumerate() {
        let keys: Vec<String> = (0..width).map(|c| key(&row.get(c).map(cell_text).unwrap_or_default())).collect();
        let mut pairs: Vec<(u32, usize, Champ, usize)> = Vec::new();
        let champs = LOGEMENT.iter().map(|f| Champ::Logement(*f)).chain(SUIVI);
        for (rank, champ) in champs.enumerate() {
            for (c, k) in keys.iter().enumerate() {
                let s = champ.score(k);
                if s > 0 {
                    pairs.push((s, rank, champ, c));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.3.cmp(&b.3)));
        let (mut used_c, mut colonnes, mut total) = (Vec::new(), Vec::new(), 0);
        for (s, _, champ, c) in pairs {
            if used_c.contains(&c) || colonnes.iter().any(|(x, _)| *x == champ) {
                continue;
            }
            used_c.push(c);
            colonnes.push((champ, c));
            total += s;
        }
        let quartile_oui_non = colonnes.iter().find(|(x, _)| *x == Champ::Quartile).is_some_and(|(_, c)| {
            let k = &keys[*c];
            k.contains("1er") || k.contains("premier") || k.split(' ').any(|w| w == "q1")
        });
        let preavis_oui = colonnes.iter().find(|(x, _)| *x == Champ::Preavis).and_then(|(_, c)| {
            let mots: Vec<&str> = keys[*c].split(' ').collect();
            if mots.iter().any(|w| w.starts_with("redui")) {
                Some(1)
            } else if mots.contains(&"normal") {
                Some(3)
            } else {
                None
            }
        });
        let e = Entete { ligne: i, colonnes, quartile_oui_non, preavis_oui };
        let ok = e.colonne(Champ::Logement(Field::Reference)).is_some()
            && (e.colonne(Champ::DateMiseADisposition).is_some() || e.colonne(Champ::DateBail).is_some());
        if ok && best.as_ref().is_none_or(|(s, _)| total > *s) {
            best = Some((total, e));
        }
    }
    best.map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suivi::registre::feuille_de_test as sheet;

    /// The step columns under the names bailleurs' systems give them (tester2 F6: each was
    /// « non lue » and its step counted 0).
    #[test]
    fn step_columns_under_other_names() {
        for (titre, champ) in [
            ("Date de la CAL", Champ::DateCal),
            ("Date CALEOL", Champ::DateCal),
            ("Date commission", Champ::DateCal),
            ("CAL le", Champ::DateCal),
            ("Date de la commission d'attribution", Champ::DateCal),
            ("Date d'examen en CALEOL", Champ::DateCal),
            ("DATE_CAND", Champ::DateCandidats),
            ("Date de candidature", Champ::DateCandidats),
            ("Date proposition candidats", Champ::DateCandidats),
            ("Date de proposition des candidats", Champ::DateCandidats),
            ("Date de positionnement", Champ::DateCandidats),
            ("Nb candidats", Champ::Candidats),
            ("NB_CAND", Champ::Candidats),
            ("Nombre de candidatures", Champ::Candidats),
            ("Décision CAL", Champ::DecisionCal),
            ("Décision de la commission", Champ::DecisionCal),
            ("Résultat de la CAL", Champ::DecisionCal),
            ("Suite CAL", Champ::DecisionCal),
            ("Date signature bail", Champ::DateBail),
            ("Date de prise d'effet du bail", Champ::DateBail),
            ("Date d'emménagement", Champ::DateBail),
            ("Signature bail", Champ::DateBail),
            ("Date de congé", Champ::DateLiberation),
            ("DATE_LIB", Champ::DateLiberation),
            ("Date de vacance", Champ::DateLiberation),
            ("Date fin de bail", Champ::DateLiberation),
            ("Date de résiliation du bail", Champ::DateLiberation),
            ("Préavis (mois)", Champ::Preavis),
            ("Type de congé", Champ::Preavis),
        ] {
            let s = sheet(&[&["Réf. logement", "Contingent", "Date envoi fiche navette", titre]]);
            let e = entete(&s).unwrap();
            assert_eq!(e.colonne(champ), Some(3), "{titre} : {:?}", e.colonnes);
            assert!(etapes_non_lues(&s, &e).is_empty(), "{titre}");
        }
    }

    /// A column whose header evokes a step but is not read is said on its own, with what it
    /// means: the step counts 0 when no other column gives it.
    #[test]
    fn a_step_column_not_read_is_said() {
        let s = sheet(&[&[
            "Réf. logement",
            "Contingent",
            "Date envoi fiche navette",
            "Passage commission (date)",
            "Avis CALEOL",
            "Observations CAL",
            "Nom du candidat",
            "Observations",
        ]]);
        let e = entete(&s).unwrap();
        let dits = etapes_non_lues(&s, &e);
        assert_eq!(
            dits.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
            [
                "colonne « Passage commission (date) » non lue : son titre évoque la date de passage en CALEOL, qu'aucune colonne ne donne — les examinés en CALEOL comptent 0 ; si c'est elle, renommez-la « Date CALEOL » et réimportez le registre",
                "colonne « Observations CAL » non lue : son titre évoque la décision CALEOL, déjà lue dans « Avis CALEOL »",
                "colonne « Nom du candidat » non lue : son titre évoque le nombre de candidats, qu'aucune colonne ne donne — les mises à disposition avec candidats comptent 0 ; si c'est elle, renommez-la « Nb candidats » et réimportez le registre",
            ]
        );
    }
}
