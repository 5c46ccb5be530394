//! Reading a bailleur's register of mises à disposition, in its own layout: the header found
//! like an état des lieux' (the dwelling's fields score with the same synonyms), then each row
//! turned into a [`Ligne`] or set aside with its motif. Pure: no dossier here.

use super::{DecisionCal, HorsFlux, Issue};
use crate::import::cell::{FenetreDate, LectureDate, lire_date};
use crate::import::header::{Field, ScoreEnTete};
use crate::import::read::SheetData;
use crate::import::row::valeur_trop_longue;
use crate::import::{cell_text, is_blank, is_total_row, normalize, raw_row, raw_text};
use crate::model::Date;
use crate::text::key;
use calamine::Data;

/// A column of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Champ {
    /// A field of the dwelling, as in an état des lieux.
    Logement(Field),
    DateLiberation,
    Preavis,
    DateMiseADisposition,
    DateValidation,
    Candidats,
    DateCandidats,
    DateCal,
    DecisionCal,
    DateBail,
    Issue,
    HorsFlux,
    /// « Ménage » / « Public prioritaire »: Oui/Non, « Prioritaire DALO », « Non prioritaire »…
    Menage,
    /// « DALO »: Oui/Non.
    Dalo,
    /// « Quartile » / « Quartile de ressources »: « 1er quartile », « Q1 », « 1 »… « 4 ».
    Quartile,
}

const LOGEMENT: [Field; 10] = [
    Field::Reference,
    Field::Reservataire,
    Field::Commune,
    Field::CodeInsee,
    Field::CodePostal,
    Field::Typologie,
    Field::Financement,
    Field::Qpv,
    Field::AnneeConstruction,
    Field::Bailleur,
];

const SUIVI: [Champ; 14] = [
    Champ::DateLiberation,
    Champ::Preavis,
    Champ::DateMiseADisposition,
    Champ::DateValidation,
    Champ::Candidats,
    Champ::DateCandidats,
    Champ::DateCal,
    Champ::DecisionCal,
    Champ::DateBail,
    Champ::Issue,
    Champ::HorsFlux,
    Champ::Menage,
    Champ::Dalo,
    Champ::Quartile,
];

/// Headers of a register's réservataire column besides an état des lieux' (keys).
const RESERVATAIRE_DU_REGISTRE: [&str; 9] = [
    "destinataire",
    "resa",
    "destinataire de la mise a disposition",
    "oriente vers",
    "orientee vers",
    "orientation",
    "reserv",
    "mis a disposition de",
    "mise a disposition de",
];

impl Champ {
    /// The column's name in the messages.
    pub fn nom(self) -> &'static str {
        match self {
            Champ::Logement(f) => f.label(),
            Champ::DateLiberation => "date de libération",
            Champ::Preavis => "préavis",
            Champ::DateMiseADisposition => "date de mise à disposition",
            Champ::DateValidation => "date de validation",
            Champ::Candidats => "candidats",
            Champ::DateCandidats => "date des candidats",
            Champ::DateCal => "date CALEOL",
            Champ::DecisionCal => "décision CALEOL",
            Champ::DateBail => "date du bail",
            Champ::Issue => "issue",
            Champ::HorsFlux => "hors flux",
            Champ::Menage => "ménage",
            Champ::Dalo => "DALO",
            Champ::Quartile => "quartile",
        }
    }

    fn synonymes(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Champ::DateLiberation => (
                &[
                    "date fin de preavis",
                    "date de fin de preavis",
                    "date fin preavis",
                    "fin de preavis",
                    "date de liberation",
                    "date liberation",
                    "liberation",
                    "date de depart",
                    "date depart",
                    "date depart locataire",
                    "date de sortie",
                    "date sortie",
                    "date conge",
                    "date du conge",
                    "date de conge",
                    "date lib",
                    "date de vacance",
                    "date vacance",
                    "date fin de bail",
                    "date de fin de bail",
                    "date fin bail",
                    "date de resiliation",
                    "date resiliation",
                    "date de resiliation du bail",
                    "date resiliation bail",
                    "date de disponibilite",
                    "date disponibilite",
                    "disponible le",
                    "libre le",
                    "libere le",
                    "date edl sortie",
                    "date etat des lieux de sortie",
                    "date de l etat des lieux de sortie",
                    "date de liberation du logement",
                    "date liberation logement",
                    "date de sortie du locataire",
                    "date depart du locataire",
                ],
                &[
                    "liberation",
                    "fin de preavis",
                    "fin preavis",
                    "date depart",
                    "date de depart",
                    "date sortie",
                    "date conge",
                    "date de conge",
                    "date du conge",
                    "date vacance",
                    "date de vacance",
                    "date resiliation",
                    "date de resiliation",
                    "date fin de bail",
                    "date de fin de bail",
                    "date fin bail",
                    "date disponibilite",
                    "date de disponibilite",
                    "date edl sortie",
                    "date etat des lieux de sortie",
                    "date de l etat des lieux de sortie",
                    "date lib",
                ],
            ),
            Champ::Preavis => (
                &[
                    "preavis",
                    "type de preavis",
                    "type preavis",
                    "duree preavis",
                    "duree de preavis",
                    "delai de preavis",
                    "preavis mois",
                    "preavis en mois",
                    "duree du preavis",
                    "nature du preavis",
                    "type de conge",
                    "type conge",
                    "preavis locataire",
                    "type preavis locataire",
                    "type de preavis du locataire",
                    "preavis 1 ou 3 mois",
                    "preavis reduit",
                    "preavis reduit oui non",
                ],
                &["type de preavis", "duree de preavis", "duree preavis", "type preavis", "preavis"],
            ),
            Champ::DateMiseADisposition => (
                &[
                    "date de mise a disposition",
                    "date mise a disposition",
                    "date mad",
                    "mad",
                    "mise a disposition",
                    "date envoi fiche navette",
                    "date d envoi de la fiche navette",
                    "date fiche navette",
                    "date envoi",
                    "date d envoi",
                    "date de notification",
                    "date notification",
                    "date d orientation",
                    "date orientation",
                    "date mise a dispo",
                    "date de mise a dispo",
                    "date de mad",
                    "date notif reservataire",
                    "date notification reservataire",
                    "date de notification au reservataire",
                    "date proposition reservataire",
                    "date de proposition au reservataire",
                    "date proposition au reservataire",
                    "date proposition logement",
                    "date de proposition du logement",
                ],
                &[
                    "mise a dispo",
                    "fiche navette",
                    "notification",
                    "date envoi",
                    "date d envoi",
                    "orientation",
                    "date notif",
                ],
            ),
            Champ::DateValidation => (
                &["date validation", "date de validation", "validation reservataire", "date validation reservataire"],
                &["validation"],
            ),
            Champ::Candidats => (
                &[
                    "candidats",
                    "nb candidats",
                    "nombre de candidats",
                    "nombre candidats",
                    "candidats presentes",
                    "candidats proposes",
                    "nb de candidats",
                    "candidats designes",
                    "nb cand",
                    "nombre cand",
                    "nb candidatures",
                    "nombre de candidatures",
                    "candidatures",
                    "nb dossiers",
                    "nombre de dossiers",
                    "nb de dossiers",
                    "nb dossiers presentes",
                    "nombre de dossiers presentes",
                    "candidats positionnes",
                    "nb candidats proposes",
                    "nb candidats presentes",
                    "nombre de candidats proposes",
                    "nombre de candidats presentes",
                    "nb propositions",
                    "nombre de propositions",
                ],
                &[
                    "nb candidat",
                    "nombre de candidat",
                    "candidats presentes",
                    "candidats proposes",
                    "nb cand",
                    "nombre de cand",
                    "nombre cand",
                    "nb de cand",
                    "nbre cand",
                    "nbre de cand",
                    "candidats positionnes",
                    "candidats designes",
                    "nombre de dossiers",
                    "nb dossiers",
                ],
            ),
            Champ::DateCandidats => (
                &[
                    "date presentation candidats",
                    "date de presentation des candidats",
                    "date de presentation",
                    "date presentation",
                    "date designation",
                    "date de designation",
                    "date candidats",
                    "date proposition candidats",
                    "date proposition",
                    "date cand",
                    "date de candidature",
                    "date candidature",
                    "date des candidatures",
                    "date proposition des candidats",
                    "date de proposition des candidats",
                    "date de proposition de candidats",
                    "date designation candidats",
                    "date de designation des candidats",
                    "date positionnement",
                    "date de positionnement",
                    "date presentation des candidats",
                    "date envoi candidats",
                    "date d envoi des candidats",
                    "date envoi des candidats",
                    "date reception candidats",
                    "date de reception des candidatures",
                    "date retour candidats",
                    "candidats le",
                    "candidats proposes le",
                    "candidats presentes le",
                    "date des candidats",
                ],
                &[
                    "date presentation",
                    "date de presentation",
                    "date designation",
                    "date de designation",
                    "date candidat",
                    "date cand",
                    "date de cand",
                    "date des cand",
                    "date de proposition des cand",
                    "date proposition cand",
                    "date proposition des cand",
                    "date de proposition de cand",
                    "date de positionnement",
                    "date positionnement",
                    "date de reception des cand",
                    "date reception cand",
                    "date envoi des cand",
                    "date d envoi des cand",
                    "candidats le",
                ],
            ),
            Champ::DateCal => (
                &[
                    "date caleol",
                    "date cal",
                    "date cail",
                    "date cam",
                    "date commission",
                    "date de commission",
                    "date de la commission",
                    "date passage caleol",
                    "date de passage en cal",
                    "date de passage en caleol",
                    "date passage cal",
                    "date de la cal",
                    "date de la caleol",
                    "date de la cail",
                    "date cal caleol",
                    "date caleol cal",
                    "cal le",
                    "caleol le",
                    "commission le",
                    "cail le",
                    "date de la commission d attribution",
                    "date commission d attribution",
                    "date de commission d attribution",
                    "date commission attribution",
                    "date de passage en commission",
                    "date passage commission",
                    "date passage en commission",
                    "date d attribution",
                    "date attribution",
                    "date de l attribution",
                    "date examen cal",
                    "date d examen en cal",
                    "date d examen en caleol",
                    "date examen caleol",
                    "date examen",
                    "date d examen",
                ],
                &[
                    "date cal",
                    "date de cal",
                    "date commission",
                    "date de commission",
                    "date passage",
                    "date de passage",
                    "date de la cal",
                    "date de la commission",
                    "date commission",
                    "passage en cal",
                    "passage cal",
                    "passage en commission",
                    "date d attribution",
                    "date attribution",
                    "date examen",
                    "date d examen",
                    "cal le",
                    "caleol le",
                ],
            ),
            Champ::DecisionCal => (
                &[
                    "avis caleol",
                    "avis cal",
                    "decision caleol",
                    "decision cal",
                    "decision",
                    "avis",
                    "avis commission",
                    "decision commission",
                    "resultat cal",
                    "resultat caleol",
                    "decision de la cal",
                    "decision de la caleol",
                    "decision de la commission",
                    "avis de la cal",
                    "avis de la caleol",
                    "avis de la commission",
                    "resultat de la cal",
                    "resultat de la caleol",
                    "resultat de la commission",
                    "resultat commission",
                    "decision d attribution",
                    "decision attribution",
                    "decision commission d attribution",
                    "decision cail",
                    "avis cail",
                    "suite cal",
                    "suite caleol",
                    "suite commission",
                    "decision cal caleol",
                    "avis cal caleol",
                ],
                &[
                    "avis",
                    "decision",
                    "resultat cal",
                    "resultat de la cal",
                    "resultat de la commission",
                    "resultat commission",
                    "suite cal",
                    "suite de la cal",
                ],
            ),
            Champ::DateBail => (
                &[
                    "date d effet du bail",
                    "date effet bail",
                    "date bail",
                    "date du bail",
                    "date de signature du bail",
                    "date signature bail",
                    "date signature du bail",
                    "date d effet",
                    "date entree",
                    "date d entree",
                    "date entree dans les lieux",
                    "date signature",
                    "date bail signe",
                    "bail signe le",
                    "date du bail signe",
                    "bail le",
                    "date de prise d effet du bail",
                    "date prise d effet",
                    "date prise d effet bail",
                    "date debut bail",
                    "date de debut du bail",
                    "date de debut de bail",
                    "date entree locataire",
                    "date d emmenagement",
                    "date emmenagement",
                    "date edl entree",
                    "date etat des lieux d entree",
                    "date de l etat des lieux d entree",
                    "date signature contrat",
                    "date signature du contrat",
                    "date de signature du contrat",
                    "date de signature du contrat de location",
                    "date contrat",
                    "date du contrat",
                    "signature bail",
                    "signature du bail",
                    "date sign bail",
                ],
                &[
                    "bail",
                    "date d effet",
                    "date entree",
                    "date d entree",
                    "signature",
                    "emmenagement",
                    "edl entree",
                    "etat des lieux d entree",
                    "contrat de location",
                    "signature contrat",
                    "signature du contrat",
                    "debut bail",
                    "debut du bail",
                    "debut de bail",
                    "prise d effet",
                ],
            ),
            Champ::Issue => (
                &["suite donnee", "suite", "issue", "statut", "etat", "situation", "resultat", "devenir"],
                &["suite", "issue", "statut"],
            ),
            Champ::HorsFlux => (
                &[
                    "categorie hors flux",
                    "hors flux",
                    "motif hors flux",
                    "type hors flux",
                    "soustrait",
                    "motif soustrait",
                    "categorie soustrait",
                ],
                &["hors flux", "soustrait"],
            ),
            Champ::Menage => (
                &[
                    "menage",
                    "public prioritaire",
                    "publics prioritaires",
                    "public",
                    "prioritaire",
                    "menage prioritaire",
                    "type de public",
                    "type public",
                    "categorie de public",
                    "public prioritaire l 441 1",
                    "priorite",
                    "critere de priorite",
                ],
                &["public prioritaire", "publics prioritaires", "menage prioritaire", "priorite"],
            ),
            Champ::Dalo => (&["dalo", "menage dalo", "reconnu dalo", "prioritaire dalo", "public dalo"], &["dalo"]),
            Champ::Quartile => (
                &[
                    "quartile",
                    "quartile de ressources",
                    "quartile ressources",
                    "quartile de revenus",
                    "quartile des ressources",
                    "1er quartile",
                    "premier quartile",
                    "menage du 1er quartile",
                    "menage 1er quartile",
                ],
                &["quartile"],
            ),
            Champ::Logement(_) => (&[], &[]),
        }
    }

    /// How well a header label names this column: 10 exact, 6 contained, 0 not at all.
    fn score(self, label_key: &str) -> u32 {
        if let Champ::Logement(f) = self {
            let s = f.score(label_key);
            // A register names the réservataire by the one it is sent to.
            if s == 0 && f == Field::Reservataire && RESERVATAIRE_DU_REGISTRE.contains(&label_key) {
                return 10;
            }
            return s;
        }
        let (exact, contains) = self.synonymes();
        let s = crate::import::header::score_synonymes(label_key, exact, contains, true);
        // A date column is not a count, and a count is not a date.
        let date = label_key.split(' ').any(|w| w == "date" || w == "dt");
        match self {
            Champ::Candidats
            | Champ::Issue
            | Champ::DecisionCal
            | Champ::Preavis
            | Champ::HorsFlux
            | Champ::Menage
            | Champ::Dalo
            | Champ::Quartile
                if date && s < 10 =>
            {
                0
            }
            // « Date de fin de bail », « résiliation du bail »: the outgoing tenant's lease, the
            // libération — never the new lease.
            Champ::DateBail if label_key.split(' ').any(|w| ["fin", "resiliation", "sortie"].contains(&w)) => 0,
            // The lease is dated by its signature (domaine.md: « date de signature du bail »):
            // a register that also gives the date the lease takes effect is read by the former.
            Champ::DateBail if s > 0 && label_key.split(' ').any(|w| w == "signature") => s + 1,
            _ => s,
        }
    }
}

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

/// One register row, read but not yet joined to the dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Ligne {
    pub feuille: Option<String>,
    pub ligne: u32,
    pub reference: String,
    pub reservataire_brut: String,
    pub bailleur: Option<String>,
    /// The dwelling as the row describes it (used when the dossier does not know it).
    pub commune_brut: String,
    pub typologie_brut: String,
    pub financement_brut: String,
    pub qpv_brut: String,
    pub annee_construction: Option<i32>,
    pub etapes: super::Etapes,
    pub hors_flux: Option<HorsFlux>,
    /// The household's cells as written (« Ménage », « DALO », « Quartile »), read against the
    /// dossier's mappings when joined.
    pub menage_brut: String,
    pub dalo_brut: String,
    pub quartile_brut: String,
    /// The quartile column is a « 1er quartile » Oui / Non column.
    pub quartile_oui_non: bool,
    /// The préavis cell as written (`None`: the register has no préavis column).
    pub preavis_brut: Option<String>,
    pub brut: String,
}

/// A row set aside, with its motif and the value at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejet {
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: &'static str,
    pub valeur: String,
    pub brut: String,
}

/// The tenant's notice in months, 1 or 3 (loi du 6 juillet 1989, art. 15: « normal » is three
/// months, « réduit » one — in zone tendue among others); `None` when the cell says neither (« 2
/// mois », « six semaines », « réduit (3 mois) »), never a month by default.
pub fn preavis(raw: &str) -> Option<u8> {
    let k = key(raw);
    let mots: Vec<&str> = k.split(' ').collect();
    let digits: String = k.chars().take_while(|c| c.is_ascii_digit()).collect();
    // « 3 », « 3 mois », « 1M », « Préavis de 3 mois », « trois mois », « 90 jours ».
    let nombre = mots
        .windows(2)
        .find_map(|w| {
            let n = match w[0] {
                "un" | "1" => 1,
                "deux" | "2" => 2,
                "trois" | "3" => 3,
                "30" if w[1].starts_with("jour") => return Some(1),
                "90" if w[1].starts_with("jour") => return Some(3),
                _ => return None,
            };
            (w[1] == "mois").then_some(n)
        })
        .or_else(|| digits.parse::<u8>().ok());
    // « Préavis normal », « réduit », « normal (3 mois) »; « zone tendue » alone is réduit,
    // « 3 mois (sauf zone tendue) » stays three months.
    let normal = mots.contains(&"normal");
    let reduit = mots.iter().any(|w| w.starts_with("redui"));
    let mot = match (normal, reduit) {
        (true, false) => Some(3),
        (false, true) => Some(1),
        (true, true) => return None,
        (false, false) => None,
    };
    match (nombre, mot) {
        (Some(n), Some(m)) if n != m => None,
        (Some(n @ (1 | 3)), _) => Some(n),
        (Some(_), _) => None,
        (None, Some(m)) => Some(m),
        (None, None) if k.contains("zone tendue") => Some(1),
        (None, None) => None,
    }
}

/// What the CALEOL decision column of a row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LectureDecision {
    /// Empty, or a filler that says the commission has not decided (« En attente », « Sans
    /// objet », « - »).
    Aucune,
    Decision(DecisionCal),
    /// A label of none of the decisions: the row is set aside with it, never counted as a
    /// non-attribution by guesswork.
    Inconnue,
}

/// The fillers of a decision column that mean no decision yet (keys).
const SANS_DECISION: [&str; 19] = [
    "",
    "en attente",
    "attente",
    "a venir",
    "en cours",
    "non passe",
    "pas encore passe",
    "non examine",
    "a programmer",
    "sans objet",
    "so",
    "nc",
    "n a",
    "na",
    "neant",
    "aucun",
    "aucune",
    "sans decision",
    "pas de decision",
];

/// « Rang 2 », « rang n° 10 »: the rank the commission gave the candidate, if the label is one.
fn rang(k: &str) -> Option<u32> {
    let mut mots = k.split(' ').skip_while(|w| *w != "rang").skip(1).skip_while(|w| ["n", "no", "numero"].contains(w));
    mots.next().and_then(|w| w.parse().ok())
}

pub fn decision(raw: &str) -> LectureDecision {
    use LectureDecision::{Aucune, Decision, Inconnue};
    let k = key(raw);
    // « Avis favorable », « Décision : attribution »: the word of the column repeated.
    let k = ["avis de la caleol ", "avis de la cal ", "avis caleol ", "avis cal ", "avis ", "decision "]
        .iter()
        .find_map(|p| k.strip_prefix(p))
        .unwrap_or(&k);
    if SANS_DECISION.contains(&k) {
        return Aucune;
    }
    if k.contains("refus du candidat") || k.contains("refus candidat") || k.starts_with("desist") {
        return Decision(DecisionCal::Refus);
    }
    if k.starts_with("defavorable") || k.starts_with("non attribu") || k.starts_with("refus") || k == "non" {
        return Decision(DecisionCal::NonAttribution);
    }
    if k.starts_with("favorable")
        || k.starts_with("attribu")
        || k.contains("sous condition")
        || rang(k) == Some(1)
        || k == "oui"
        || k == "accord"
    {
        return Decision(DecisionCal::Attribution);
    }
    // « Rang 2 », « ajourné », « irrecevable », « rejet »: examined, not attributed to this
    // candidate.
    if rang(k).is_some_and(|n| n >= 2)
        || ["ajourn", "report", "irrecevab", "rejet", "non retenu"].iter().any(|p| k.starts_with(p))
    {
        return Decision(DecisionCal::NonAttribution);
    }
    Inconnue
}

pub fn issue(raw: &str) -> Issue {
    let k = key(raw);
    // « bail » as a word: « Repris par le bailleur » is a reprise, not a lease.
    let bail = k.split(' ').any(|w| w == "bail" || w == "baux");
    if bail || k.contains("signe") || k.starts_with("attribue") || k.contains("entre dans les lieux") {
        Issue::BailSigne
    } else if k.contains("reori") {
        Issue::Reorientation
    } else if k.contains("repris") || k.contains("retour bailleur") {
        Issue::Reprise
    } else {
        Issue::EnCours
    }
}

/// What the hors-flux column of a row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LectureHorsFlux {
    /// Empty, or a filler that means « not hors flux » (« Non », « Sans objet », « 0 »…).
    Flux,
    HorsFlux(HorsFlux),
    /// A label of none of the categories: the row is set aside with it, never counted as
    /// « autres » by guesswork.
    Inconnu,
}

/// The fillers of a hors-flux column that mean the row is in the flux (keys).
const DANS_LE_FLUX: [&str; 16] = [
    "",
    "non",
    "flux",
    "dans le flux",
    "en flux",
    "non concerne",
    "non concernee",
    "sans objet",
    "so",
    "aucun",
    "aucune",
    "n a",
    "na",
    "0",
    "nc",
    "neant",
];

pub fn hors_flux(raw: &str) -> LectureHorsFlux {
    let k = key(raw);
    if DANS_LE_FLUX.contains(&k.as_str()) {
        return LectureHorsFlux::Flux;
    }
    // Abbreviations of the categories domaine.md lists: « MUT », « Mut. interne » are
    // mutations internes; « NPNRU », « PRU », « PNRU » relogements ANRU/NPNRU.
    let mots: Vec<&str> = k.split(' ').collect();
    if mots.first().is_some_and(|w| *w == "mut" || *w == "muta") {
        return LectureHorsFlux::HorsFlux(HorsFlux::Mutations);
    }
    if mots.iter().any(|w| ["npnru", "pnru", "pru"].contains(w)) {
        let c = if mots.contains(&"hors") { HorsFlux::RelogementsHorsAnru } else { HorsFlux::Relogements };
        return LectureHorsFlux::HorsFlux(c);
    }
    // The one list of soustraits (mutations, relogements ANRU, hors ANRU, insalubres, ORCOD,
    // ventes, urgence, autres); a label of none of them is set aside.
    match HorsFlux::parse(raw) {
        Some(c) => LectureHorsFlux::HorsFlux(c),
        None => LectureHorsFlux::Inconnu,
    }
}

/// Reads the data rows of one sheet, imported on `import` (its dates lie between 2000-01-01
/// and a year after it; two-digit years are 20xx). `Err` is a row set aside.
pub fn lignes(sheet: &SheetData, e: &Entete, import: Date) -> Vec<Result<Ligne, Rejet>> {
    // A text of digits (« 45000 ») is a workbook's serial date only in a workbook: a CSV (a
    // sheet without a name) has no date system, it is no date there.
    let fenetre = FenetreDate { serie_en_texte: sheet.name.is_some(), ..FenetreDate::registre(import) };
    fn cellule<'a>(e: &Entete, row: &'a [Data], c: Champ) -> Option<&'a Data> {
        e.colonne(c).and_then(|i| row.get(i))
    }
    let col = |row, c| cellule(e, row, c);
    let text = |row: &[Data], c: Champ| cellule(e, row, c).map(|d| cell_text(d).into_owned()).unwrap_or_default();
    let mut out = Vec::new();
    for (ligne, row) in sheet.data_rows(e.ligne + 1) {
        let filled = e.colonnes.iter().filter(|(_, i)| row.get(*i).is_some_and(|d| !is_blank(d))).count();
        if filled < 2 || is_total_row(row) {
            continue;
        }
        let brut = raw_row(row);
        let rejet = |motif: &'static str, valeur: String| Rejet {
            feuille: sheet.name.clone(),
            ligne,
            motif,
            valeur,
            brut: brut.clone(),
        };
        if let Some(v) = valeur_trop_longue(row) {
            out.push(Err(rejet("valeur_trop_longue", v)));
            continue;
        }
        let reference = text(row, Champ::Logement(Field::Reference));
        if reference.is_empty() {
            out.push(Err(rejet("reference_manquante", raw_text(col(row, Champ::Logement(Field::Reference))))));
            continue;
        }
        // Every date that is written must read; an impossible one (31/02) sets the row aside.
        let mut dates = [None; 6];
        let mut illisible = None;
        for (i, c) in [
            Champ::DateLiberation,
            Champ::DateMiseADisposition,
            Champ::DateValidation,
            Champ::DateCandidats,
            Champ::DateCal,
            Champ::DateBail,
        ]
        .into_iter()
        .enumerate()
        {
            match col(row, c).map(|d| lire_date(d, &fenetre)) {
                Some(LectureDate::Date(x)) => dates[i] = Some(x),
                Some(LectureDate::Illisible(v) | LectureDate::Ambigue(v)) => {
                    illisible.get_or_insert(v);
                }
                Some(LectureDate::Vide) | None => {}
            }
        }
        if let Some(v) = illisible {
            out.push(Err(rejet("date_illisible", v)));
            continue;
        }
        let hf = match hors_flux(&text(row, Champ::HorsFlux)) {
            LectureHorsFlux::Flux => None,
            LectureHorsFlux::HorsFlux(c) => Some(c),
            LectureHorsFlux::Inconnu => {
                out.push(Err(rejet(super::import_registre::HORS_FLUX_INCONNU, text(row, Champ::HorsFlux))));
                continue;
            }
        };
        let decision_cal = match decision(&text(row, Champ::DecisionCal)) {
            LectureDecision::Aucune => None,
            LectureDecision::Decision(d) => Some(d),
            LectureDecision::Inconnue => {
                out.push(Err(rejet(super::import_registre::DECISION_INCONNUE, text(row, Champ::DecisionCal))));
                continue;
            }
        };
        let [date_liberation, date_mise_a_disposition, date_validation, date_candidats, date_cal, date_bail] = dates;
        if date_mise_a_disposition.is_none() && date_bail.is_none() {
            out.push(Err(rejet("date_illisible", "date de mise à disposition absente".into())));
            continue;
        }
        let candidats_txt = text(row, Champ::Candidats);
        let mut issue = issue(&text(row, Champ::Issue));
        // A lease date makes the issue a lease — unless the row says the bailleur took the
        // dwelling back: then the lease is the bailleur's own (domaine.md, « Attribution
        // objectives »), not the réservataire's.
        if date_bail.is_some() && issue != Issue::Reprise {
            issue = Issue::BailSigne;
        }
        out.push(Ok(Ligne {
            feuille: sheet.name.clone(),
            ligne,
            reference,
            reservataire_brut: text(row, Champ::Logement(Field::Reservataire)),
            bailleur: Some(text(row, Champ::Logement(Field::Bailleur))).filter(|s| !s.is_empty()),
            commune_brut: [Field::CodeInsee, Field::Commune, Field::CodePostal]
                .iter()
                .map(|f| text(row, Champ::Logement(*f)))
                .find(|s| !s.is_empty())
                .unwrap_or_default(),
            typologie_brut: text(row, Champ::Logement(Field::Typologie)),
            financement_brut: text(row, Champ::Logement(Field::Financement)),
            qpv_brut: text(row, Champ::Logement(Field::Qpv)),
            annee_construction: col(row, Champ::Logement(Field::AnneeConstruction))
                .and_then(|d| normalize::annee(&cell_text(d))),
            etapes: super::Etapes {
                date_liberation,
                preavis: {
                    let t = text(row, Champ::Preavis);
                    let oui_non = |oui: u8| match key(&t).as_str() {
                        "oui" | "o" | "x" | "vrai" => Some(oui),
                        "non" | "n" | "faux" => Some(4 - oui),
                        _ => None,
                    };
                    e.preavis_oui.and_then(oui_non).or_else(|| preavis(&t))
                },
                date_mise_a_disposition,
                date_validation,
                candidats: crate::format::parse_entier(&candidats_txt).ok().map(|n| n.min(u32::MAX as u64) as u32),
                date_candidats,
                date_cal,
                decision_cal,
                date_bail,
                issue,
            },
            hors_flux: hf,
            menage_brut: text(row, Champ::Menage),
            dalo_brut: text(row, Champ::Dalo),
            quartile_brut: text(row, Champ::Quartile),
            quartile_oui_non: e.quartile_oui_non,
            preavis_brut: e.colonne(Champ::Preavis).map(|_| text(row, Champ::Preavis)),
            brut,
        }));
    }
    // CSV lines broken by a quote, below the header: set aside, never swallowed.
    let entete = sheet.row_number(e.ligne);
    for (ligne, texte) in sheet.illisibles.iter().filter(|(l, _)| *l > entete) {
        let valeur = if texte.chars().count() <= 200 {
            texte.clone()
        } else {
            format!("{}…", texte.chars().take(200).collect::<String>())
        };
        out.push(Err(Rejet {
            feuille: sheet.name.clone(),
            ligne: *ligne,
            motif: "ligne_illisible",
            valeur,
            brut: texte.replace(['\t', '\r', '\n'], " "),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Range;

    fn sheet(rows: &[&[&str]]) -> SheetData {
        let w = rows.iter().map(|r| r.len()).max().unwrap();
        let mut r = Range::new((0, 0), (rows.len() as u32 - 1, w as u32 - 1));
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    r.set_value((i as u32, j as u32), Data::String(v.to_string()));
                }
            }
        }
        SheetData {
            name: Some("Registre".into()),
            hidden: false,
            range: r,
            row_numbers: None,
            rest: None,
            illisibles: vec![],
            fusions: Default::default(),
            formules_sans_valeur: vec![],
        }
    }

    #[test]
    fn the_casa_layout_and_its_abbreviations() {
        let s = sheet(&[
            &["Registre 2024", "", "", "", "", "", "", "", "", "", "", ""],
            &[
                "Réf. logement",
                "Contingent",
                "Date envoi fiche navette",
                "Date fin de préavis",
                "Type de préavis",
                "Candidats présentés",
                "Date présentation candidats",
                "Date CALEOL",
                "Avis CALEOL",
                "Date d'effet du bail",
                "Suite donnée",
                "Catégorie hors flux",
            ],
            &[
                "HA-1",
                "ALS",
                "20/05/2024",
                "08/08/2024",
                "3 mois",
                "3",
                "07/06/2024",
                "22/06/2024",
                "Favorable",
                "09/08/2024",
                "Bail signé",
                "",
            ],
            &[
                "HA-2",
                "",
                "05/04/2024",
                "05/04/2024",
                "1 mois",
                "1",
                "",
                "",
                "",
                "05/05/2024",
                "Bail signé",
                "Mutation",
            ],
            &["HA-3", "ALS", "31/02/2024", "15/03/2024", "1 mois", "3", "", "", "", "", "En attente", ""],
            &["", "Préfecture", "02/05/2024", "", "", "", "", "", "", "", "En attente", ""],
            &[
                "HA-4",
                "Préfecture",
                "2024-03-07",
                "",
                "1 mois",
                "3",
                "",
                "12/04/2024",
                "Défavorable",
                "",
                "Logement repris",
                "",
            ],
        ]);
        let e = entete(&s).unwrap();
        assert_eq!(e.ligne, 1);
        assert_eq!(e.colonne(Champ::Logement(Field::Reference)), Some(0));
        assert_eq!(e.colonne(Champ::Logement(Field::Reservataire)), Some(1));
        assert_eq!(e.colonne(Champ::DateMiseADisposition), Some(2));
        assert_eq!(e.colonne(Champ::DateLiberation), Some(3));
        assert_eq!(e.colonne(Champ::Preavis), Some(4));
        assert_eq!(e.colonne(Champ::Candidats), Some(5));
        assert_eq!(e.colonne(Champ::DateCandidats), Some(6));
        assert_eq!(e.colonne(Champ::DateCal), Some(7));
        assert_eq!(e.colonne(Champ::DecisionCal), Some(8));
        assert_eq!(e.colonne(Champ::DateBail), Some(9));
        assert_eq!(e.colonne(Champ::Issue), Some(10));
        assert_eq!(e.colonne(Champ::HorsFlux), Some(11));
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 5);
        let a = l[0].as_ref().unwrap();
        assert_eq!((a.etapes.preavis, a.etapes.candidats, a.etapes.issue), (Some(3), Some(3), Issue::BailSigne));
        assert_eq!(a.etapes.date_bail, Date::new(2024, 8, 9));
        assert_eq!(a.etapes.decision_cal, Some(DecisionCal::Attribution));
        assert_eq!(a.ligne, 3);
        assert_eq!(l[1].as_ref().unwrap().hors_flux, Some(HorsFlux::Mutations));
        assert_eq!(l[2].as_ref().unwrap_err().motif, "date_illisible");
        assert_eq!(l[2].as_ref().unwrap_err().valeur, "31/02/2024");
        assert_eq!(l[3].as_ref().unwrap_err().motif, "reference_manquante");
        let d = l[4].as_ref().unwrap();
        assert_eq!((d.etapes.issue, d.etapes.decision_cal), (Issue::Reprise, Some(DecisionCal::NonAttribution)));
        assert_eq!(d.etapes.date_mise_a_disposition, Date::new(2024, 3, 7));
    }

    #[test]
    fn a_filler_of_the_hors_flux_column_is_the_flux_and_an_unknown_label_is_set_aside() {
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Suite donnée", "Catégorie hors flux"],
            &["HA-1", "ALS", "20/05/2024", "En attente", "Non concerné"],
            &["HA-2", "ALS", "21/05/2024", "En attente", "Sans objet"],
            &["HA-3", "ALS", "22/05/2024", "En attente", "N/A"],
            &["HA-4", "ALS", "23/05/2024", "En attente", "0"],
            &["HA-5", "ALS", "24/05/2024", "En attente", "Dans le flux"],
            &["HA-6", "", "25/05/2024", "En attente", "NPNRU"],
            &["HA-7", "", "26/05/2024", "En attente", "Mut. interne"],
            &["HA-8", "ALS", "27/05/2024", "En attente", "Xyzzy"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 8);
        for x in &l[..5] {
            let x = x.as_ref().unwrap();
            assert_eq!((x.hors_flux, x.reservataire_brut.as_str()), (None, "ALS"), "{}", x.reference);
        }
        assert_eq!(l[5].as_ref().unwrap().hors_flux, Some(HorsFlux::Relogements));
        assert_eq!(l[6].as_ref().unwrap().hors_flux, Some(HorsFlux::Mutations));
        let r = l[7].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str(), r.ligne), ("hors_flux_inconnu", "Xyzzy", 9));
    }

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

    /// « Préavis réduit » Oui / Non: Oui is one month, Non three (« Préavis normal » the reverse).
    #[test]
    fn a_preavis_column_of_oui_non() {
        for (titre, oui, non) in [("Préavis réduit", 1, 3), ("Préavis normal", 3, 1)] {
            let s = sheet(&[
                &["Réf. logement", "Contingent", "Date envoi fiche navette", titre],
                &["HA-1", "ALS", "20/05/2024", "Oui"],
                &["HA-2", "ALS", "21/05/2024", "Non"],
                &["HA-3", "ALS", "22/05/2024", "3 mois"],
                &["HA-4", "ALS", "23/05/2024", "peut-être"],
            ]);
            let e = entete(&s).unwrap();
            let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
            let p: Vec<Option<u8>> = l.iter().map(|x| x.as_ref().unwrap().etapes.preavis).collect();
            assert_eq!(p, [Some(oui), Some(non), Some(3), None], "{titre}");
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

    /// An unknown CALEOL decision sets its row aside with its value (before: a non-attribution,
    /// a chute of the réservataire); « En attente » is no decision yet, the row kept.
    #[test]
    fn an_unknown_decision_is_set_aside_never_a_non_attribution() {
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Date CALEOL", "Avis CALEOL"],
            &["HA-1", "ALS", "20/05/2024", "12/06/2024", "Favorable"],
            &["HA-2", "ALS", "21/05/2024", "12/06/2024", "En instruction"],
            &["HA-3", "ALS", "22/05/2024", "", "En attente"],
            &["HA-4", "ALS", "23/05/2024", "12/06/2024", "Ajourné"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].as_ref().unwrap().etapes.decision_cal, Some(DecisionCal::Attribution));
        let r = l[1].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str(), r.ligne), ("decision_inconnue", "En instruction", 3));
        assert_eq!(l[2].as_ref().unwrap().etapes.decision_cal, None);
        assert_eq!(l[3].as_ref().unwrap().etapes.decision_cal, Some(DecisionCal::NonAttribution));
    }

    /// « 45000 » written as text is a serial date of a workbook (15/03/2023), never of a CSV,
    /// which has no date system: there the row is set aside, its value said.
    #[test]
    fn digits_are_a_serial_date_in_a_workbook_only() {
        let rows: [&[&str]; 2] =
            [&["Réf. logement", "Contingent", "Date envoi fiche navette"], &["HA-1", "ALS", "45000"]];
        let classeur = sheet(&rows);
        let e = entete(&classeur).unwrap();
        let l = lignes(&classeur, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l[0].as_ref().unwrap().etapes.date_mise_a_disposition, Date::new(2023, 3, 15));
        let csv = SheetData { name: None, ..sheet(&rows) };
        let l = lignes(&csv, &e, Date::new(2024, 12, 31).unwrap());
        let r = l[0].as_ref().unwrap_err();
        assert_eq!((r.motif, r.valeur.as_str()), ("date_illisible", "45000"));
    }

    /// Two lease dates, its effect and its signature: the signature is the lease's date
    /// (domaine.md), whichever column comes first; one of them alone is read as before.
    #[test]
    fn the_lease_is_dated_by_its_signature_when_both_dates_are_given() {
        for (entetes, ligne) in [
            (
                [
                    "Réf. logement",
                    "Contingent",
                    "Date envoi fiche navette",
                    "Date d'effet du bail",
                    "Date de signature du bail",
                ],
                ["HA-1", "ALS", "20/05/2024", "01/07/2024", "15/06/2024"],
            ),
            (
                [
                    "Réf. logement",
                    "Contingent",
                    "Date envoi fiche navette",
                    "Date de signature du bail",
                    "Date d'effet du bail",
                ],
                ["HA-1", "ALS", "20/05/2024", "15/06/2024", "01/07/2024"],
            ),
        ] {
            let s = sheet(&[&entetes, &ligne]);
            let e = entete(&s).unwrap();
            let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
            assert_eq!(l[0].as_ref().unwrap().etapes.date_bail, Date::new(2024, 6, 15), "{entetes:?}");
        }
        let s = sheet(&[
            &["Réf. logement", "Contingent", "Date envoi fiche navette", "Date d'effet du bail"],
            &["HA-1", "ALS", "20/05/2024", "01/07/2024"],
        ]);
        let e = entete(&s).unwrap();
        let l = lignes(&s, &e, Date::new(2024, 12, 31).unwrap());
        assert_eq!(l[0].as_ref().unwrap().etapes.date_bail, Date::new(2024, 7, 1));
    }

    #[test]
    fn labels_of_each_step() {
        assert_eq!(preavis("3 mois"), Some(3));
        assert_eq!(preavis("1"), Some(1));
        assert_eq!(preavis("six semaines"), None);
        for (x, n) in [("Préavis de 3 mois", 3), ("trois mois", 3), ("90 jours", 3), ("un mois", 1), ("30 jours", 1)] {
            assert_eq!(preavis(x), Some(n), "{x}");
        }
        // Loi du 6 juillet 1989, art. 15: the normal notice is three months, the reduced one.
        for (x, n) in [
            ("normal", 3),
            ("Préavis normal", 3),
            ("NORMAL (3 mois)", 3),
            ("réduit", 1),
            ("Préavis réduit", 1),
            ("Réduit - 1 mois", 1),
            ("Zone tendue", 1),
            ("3 mois (sauf zone tendue)", 3),
            ("1M", 1),
            ("3,0", 3),
        ] {
            assert_eq!(preavis(x), Some(n), "{x}");
        }
        // Neither 1 nor 3 months, or contradictory: unread (signalled), never a month by default.
        for x in ["2 mois", "2", "deux mois", "réduit (3 mois)", "normal 1 mois", "normal ou réduit", "0", "Oui"] {
            assert_eq!(preavis(x), None, "{x}");
        }
        use LectureDecision::{Aucune, Decision};
        assert_eq!(decision("Attribution sous condition suspensive"), Decision(DecisionCal::Attribution));
        assert_eq!(decision("Rang 1"), Decision(DecisionCal::Attribution));
        assert_eq!(decision("Refus du candidat"), Decision(DecisionCal::Refus));
        assert_eq!(decision("Non-attribution"), Decision(DecisionCal::NonAttribution));
        for x in ["Avis favorable", "AVIS FAVORABLE", "Favorable", "Décision : attribution", "Avis CAL favorable"] {
            assert_eq!(decision(x), Decision(DecisionCal::Attribution), "{x}");
        }
        for x in ["Avis défavorable", "AVIS DEFAVORABLE", "Défavorable", "Ajourné", "Rang 2", "Rang 10", "Irrecevable"]
        {
            assert_eq!(decision(x), Decision(DecisionCal::NonAttribution), "{x}");
        }
        // No decision yet: neither examined-and-refused nor a row to set aside.
        for x in ["", "-", "En attente", "Sans objet", "N/A", "Avis : en attente"] {
            assert_eq!(decision(x), Aucune, "{x}");
        }
        // A label of no decision is never a non-attribution (tester2 F5).
        for x in ["Xyzzy", "Peut-être", "Rang", "Commission", "12/06/2024"] {
            assert_eq!(decision(x), LectureDecision::Inconnue, "{x}");
        }
        use LectureHorsFlux::{Flux, HorsFlux as H, Inconnu};
        assert_eq!(hors_flux("ANRU"), H(HorsFlux::Relogements));
        assert_eq!(hors_flux("Vente HLM"), H(HorsFlux::Ventes));
        assert_eq!(hors_flux("Urgence (préfet)"), H(HorsFlux::Urgence));
        assert_eq!(hors_flux("ORCOD"), H(HorsFlux::Orcod));
        assert_eq!(hors_flux("LHI"), H(HorsFlux::Insalubres));
        assert_eq!(hors_flux("Démolition hors ANRU"), H(HorsFlux::RelogementsHorsAnru));
        assert_eq!(hors_flux(""), Flux);
        assert_eq!(hors_flux("Mutation"), H(HorsFlux::Mutations));
        assert_eq!(hors_flux("Autres"), H(HorsFlux::Autres));
        assert_eq!(hors_flux("Relogement vente HLM"), H(HorsFlux::Ventes));
        assert_eq!(hors_flux("Mutation demandée par le locataire"), H(HorsFlux::Mutations));
        assert_eq!(hors_flux("Relogement PRU"), H(HorsFlux::Relogements));
        assert_eq!(hors_flux("ANRU / NPNRU"), H(HorsFlux::Relogements));
        assert_eq!(hors_flux("Démolition hors PRU"), H(HorsFlux::RelogementsHorsAnru));
        assert_eq!(hors_flux("Xyzzy"), Inconnu);
        assert_eq!(hors_flux("Oui"), Inconnu);
        assert_eq!(hors_flux("Contingent"), Inconnu);
        assert_eq!(issue("Réorienté vers un autre réservataire"), Issue::Reorientation);
        assert_eq!(issue("Logement repris"), Issue::Reprise);
        // domaine.md's own label, and the bailleur's variants: never a lease.
        for x in
            ["Repris par le bailleur", "reprise par le bailleur", "Reprise bailleur", "Logement repris par le bailleur"]
        {
            assert_eq!(issue(x), Issue::Reprise, "{x}");
        }
        for x in ["Bail signé", "BAIL SIGNE", "Signé", "Bail"] {
            assert_eq!(issue(x), Issue::BailSigne, "{x}");
        }
        assert_eq!(issue("En attente"), Issue::EnCours);
    }
}
