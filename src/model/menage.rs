//! The household of a lease, as a register may say it (domaine.md, « Attribution objectives
//! (CIA, CCH L.441-1) »): public prioritaire (DALO first) or not, and its resources quartile.
//! Read like every other label: a value not recognised is kept as written, to be mapped in
//! « Libellés », never guessed; a household not filled in is counted apart.

use serde::Serialize;

/// Whether the household is a public prioritaire (L.441-1), DALO first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Public {
    /// Reconnu prioritaire et urgent au titre du DALO.
    Dalo,
    /// Another priority criterion of L.441-1 (PDALHPD, accord collectif…).
    Prioritaire,
    NonPrioritaire,
}

impl Public {
    pub const ALL: [Public; 3] = [Public::Dalo, Public::Prioritaire, Public::NonPrioritaire];

    pub fn as_str(self) -> &'static str {
        match self {
            Public::Dalo => "dalo",
            Public::Prioritaire => "prioritaire",
            Public::NonPrioritaire => "non_prioritaire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Public::Dalo => "Public prioritaire DALO",
            Public::Prioritaire => "Public prioritaire (hors DALO)",
            Public::NonPrioritaire => "Non prioritaire",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    pub fn est_prioritaire(self) -> bool {
        matches!(self, Public::Dalo | Public::Prioritaire)
    }

    /// Reads a register's label: `None` when it is none of the known spellings. `dalo`: the
    /// column is a « DALO » column (« Oui » there is DALO; elsewhere, a public prioritaire).
    pub fn lire(raw: &str, dalo: bool) -> Option<Self> {
        let k = crate::text::key(raw);
        let mots: Vec<&str> = k.split(' ').filter(|w| !w.is_empty()).collect();
        let a = |w: &str| mots.contains(&w);
        let negatif = matches!(mots.first(), Some(&"non") | Some(&"aucun") | Some(&"n") | Some(&"hors"))
            || a("pas")
            || k.contains("droit commun")
            || k == "0";
        if negatif {
            return Some(Public::NonPrioritaire);
        }
        if a("dalo") || k.contains("prioritaire et urgent") || k.contains("l 441 2 3") {
            return Some(Public::Dalo);
        }
        if matches!(k.as_str(), "oui" | "o" | "x" | "1" | "vrai") {
            return Some(if dalo { Public::Dalo } else { Public::Prioritaire });
        }
        if a("prioritaire")
            || a("pdalhpd")
            || a("pdalpd")
            || a("pdlhpd")
            || k.contains("accord collectif")
            || k.contains("l 441 1")
            || k.contains("public prio")
        {
            return Some(Public::Prioritaire);
        }
        None
    }
}

/// A household's resources quartile (the CIA objectives need the first apart from the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quartile {
    Q1,
    Q2,
    Q3,
    Q4,
    /// « Non » in a « 1er quartile » column: one of the other three, which one not said.
    Q2a4,
}

impl Quartile {
    pub const ALL: [Quartile; 5] = [Quartile::Q1, Quartile::Q2, Quartile::Q3, Quartile::Q4, Quartile::Q2a4];

    /// The number the dossier keeps (0 for « 2 à 4 »).
    pub fn numero(self) -> u8 {
        match self {
            Quartile::Q1 => 1,
            Quartile::Q2 => 2,
            Quartile::Q3 => 3,
            Quartile::Q4 => 4,
            Quartile::Q2a4 => 0,
        }
    }

    pub fn du_numero(n: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.numero() == n)
    }

    pub fn label(self) -> &'static str {
        match self {
            Quartile::Q1 => "1er quartile",
            Quartile::Q2 => "2e quartile",
            Quartile::Q3 => "3e quartile",
            Quartile::Q4 => "4e quartile",
            Quartile::Q2a4 => "2e à 4e quartile",
        }
    }

    pub fn premier(self) -> bool {
        self == Quartile::Q1
    }

    /// Reads « 1er quartile », « Q1 », « 1 », « premier »… ; in a « 1er quartile » column
    /// (`colonne_q1`), « Oui » / « Non ». `None` when it is none of them.
    pub fn lire(raw: &str, colonne_q1: bool) -> Option<Self> {
        let k = crate::text::key(raw);
        if colonne_q1 {
            match k.as_str() {
                "oui" | "o" | "x" | "vrai" => return Some(Quartile::Q1),
                "non" | "n" | "faux" => return Some(Quartile::Q2a4),
                _ => {}
            }
        }
        let mots: Vec<&str> = k.split(' ').filter(|w| !w.is_empty() && *w != "quartile" && *w != "de").collect();
        let mot = match mots.as_slice() {
            [m] => *m,
            [m, "ressources"] | ["ressources", m] => *m,
            _ => return None,
        };
        Some(match mot {
            "1" | "1er" | "1e" | "1ere" | "q1" | "premier" => Quartile::Q1,
            "2" | "2e" | "2eme" | "2nd" | "q2" | "deuxieme" | "second" => Quartile::Q2,
            "3" | "3e" | "3eme" | "q3" | "troisieme" => Quartile::Q3,
            "4" | "4e" | "4eme" | "q4" | "quatrieme" | "dernier" => Quartile::Q4,
            _ => return None,
        })
    }
}

/// What a register says of one field of the household.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lu<T> {
    /// Nothing written (or no such column): « ménage non renseigné ».
    #[default]
    NonRenseigne,
    Valeur(T),
    /// Written, but in no known spelling: kept as written, to be mapped in « Libellés ».
    Inconnu(String),
}

impl<T: Copy> Lu<T> {
    pub fn valeur(&self) -> Option<T> {
        match self {
            Lu::Valeur(v) => Some(*v),
            _ => None,
        }
    }

    /// From a raw cell and its reading (`None`: not recognised).
    pub fn de(raw: &str, lu: Option<T>) -> Self {
        match (raw.trim(), lu) {
            ("", _) => Lu::NonRenseigne,
            (_, Some(v)) => Lu::Valeur(v),
            (r, None) => Lu::Inconnu(r.to_string()),
        }
    }
}

/// The household of a lease.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Menage {
    pub public: Lu<Public>,
    pub quartile: Lu<Quartile>,
}

/// The objectives of the EPCI's intercommunal attribution agreement (CIA), as shares (0.25 is
/// 25 %): the law's defaults unless the dossier's CIA sets others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReglagesCia {
    /// Leases outside QPV to first-quartile households (or relogés ANRU/NPNRU, ORCOD).
    pub quartile1: f64,
    /// Leases in QPV to households of quartiles 2 to 4.
    pub qpv: f64,
    /// Attributions of the collectivités, their groupements, the département, the région,
    /// Action Logement and the bailleur's own to publics prioritaires.
    pub prioritaires: f64,
    /// A rate the CIA sets for one réservataire (0: none).
    pub par_reservataire: std::collections::BTreeMap<super::Reservataire, f64>,
}

impl Default for ReglagesCia {
    fn default() -> Self {
        Self { quartile1: 0.25, qpv: 0.5, prioritaires: 0.25, par_reservataire: Default::default() }
    }
}

impl ReglagesCia {
    /// The share of a réservataire's leases to go to publics prioritaires (`None`: no
    /// objective). The State's contingent goes entirely to them; the law sets none for the
    /// fonctionnaires and the other réservataires; `non-reserve` is the bailleur's own.
    pub fn objectif_prioritaires(&self, id: &str) -> Option<f64> {
        use super::Portee;
        if let Some(t) = self.par_reservataire.get(id) {
            return (*t > 0.0).then_some(*t);
        }
        match Portee::de(id) {
            Portee::Etat => Some(1.0),
            Portee::ActionLogement
            | Portee::NonReserve
            | Portee::Commune
            | Portee::Epci
            | Portee::Departement
            | Portee::Region => Some(self.prioritaires),
            Portee::Fonctionnaires | Portee::Defense | Portee::Autre | Portee::Inconnue => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_the_spec() {
        assert_eq!(Public::lire("Oui", false), Some(Public::Prioritaire));
        assert_eq!(Public::lire("Oui", true), Some(Public::Dalo));
        assert_eq!(Public::lire("Non", true), Some(Public::NonPrioritaire));
        assert_eq!(Public::lire("Prioritaire DALO", false), Some(Public::Dalo));
        assert_eq!(Public::lire("Public prioritaire (PDALHPD)", false), Some(Public::Prioritaire));
        assert_eq!(Public::lire("Non prioritaire", false), Some(Public::NonPrioritaire));
        assert_eq!(Public::lire("non-DALO", true), Some(Public::NonPrioritaire));
        assert_eq!(Public::lire("Ménage bleu", false), None);
        let q = |s| Quartile::lire(s, false);
        assert_eq!(q("1er quartile"), Some(Quartile::Q1));
        assert_eq!(q("Q1"), Some(Quartile::Q1));
        assert_eq!(q("1"), Some(Quartile::Q1));
        assert_eq!(q("2e quartile"), Some(Quartile::Q2));
        assert_eq!(q("Quartile 3"), Some(Quartile::Q3));
        assert_eq!(q("4"), Some(Quartile::Q4));
        assert_eq!(q("5"), None);
        assert_eq!(q("Q1 ou Q2"), None);
        assert_eq!(q("Oui"), None);
        assert_eq!(Quartile::lire("Oui", true), Some(Quartile::Q1));
        assert_eq!(Quartile::lire("Non", true), Some(Quartile::Q2a4));
        assert_eq!(Lu::de("  ", q("  ")), Lu::<Quartile>::NonRenseigne);
        assert_eq!(Lu::de("Q9", q("Q9")), Lu::<Quartile>::Inconnu("Q9".into()));
    }

    /// The law's objective by kind of réservataire, and a rate the CIA sets (0: none).
    #[test]
    fn objectif_prioritaires_by_scope() {
        use crate::model::Reservataire;
        let mut r = ReglagesCia { prioritaires: 0.3, ..Default::default() };
        let o = |r: &ReglagesCia, id: &str| r.objectif_prioritaires(id);
        assert_eq!(o(&r, "etat"), Some(1.0));
        for id in ["action-logement", "non-reserve", "commune:06004", "epci:240600585", "departement:06", "region:93"] {
            assert_eq!(o(&r, id), Some(0.3), "{id}");
        }
        for id in ["etat-fonctionnaires", "defense", "autre:la-poste", "inconnu"] {
            assert_eq!(o(&r, id), None, "{id}");
        }
        r.par_reservataire.insert(Reservataire::new("autre:la-poste"), 0.4);
        r.par_reservataire.insert(Reservataire::ACTION_LOGEMENT, 0.0);
        assert_eq!((o(&r, "autre:la-poste"), o(&r, "action-logement")), (Some(0.4), None));
    }
}
