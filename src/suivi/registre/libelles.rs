//! The labels of a register's cells: préavis, CALEOL decision, issue, hors-flux category —
//! each read as one of its values, a filler meaning « none », or unknown (never a default).

use crate::suivi::{DecisionCal, HorsFlux, Issue};
use crate::text::key;

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
    // « Préavis normal », « réduit », « normal (3 mois) ». « Zone tendue » alone says where the
    // dwelling is, not the notice it was given: unread (signalled), never a month by inference;
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

#[cfg(test)]
mod tests {
    use super::*;

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
            ("3 mois (sauf zone tendue)", 3),
            ("1M", 1),
            ("3,0", 3),
        ] {
            assert_eq!(preavis(x), Some(n), "{x}");
        }
        // Neither 1 nor 3 months, or contradictory: unread (signalled), never a month by default.
        for x in [
            "2 mois",
            "2",
            "deux mois",
            "réduit (3 mois)",
            "normal 1 mois",
            "normal ou réduit",
            "0",
            "Oui",
            "Zone tendue",
        ] {
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
