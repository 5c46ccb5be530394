//! The rules an alert of the flux or of a bilan names (domaine.md, « Rules of the shares »
//! and « Bilans »), written in the JSON with the names below.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regle {
    /// The State's share above 30 % without a préfectoral decree.
    #[serde(rename = "etat_max_30")]
    EtatMax30,
    #[serde(rename = "fonctionnaires_max_5")]
    FonctionnairesMax5,
    /// The State's logements outside QPV under 30 % of the flux outside QPV.
    #[serde(rename = "etat_hors_qpv_min_30")]
    EtatHorsQpvMin30,
    /// The collectivités above 20 % together in a commune.
    #[serde(rename = "collectivite_max_20")]
    CollectiviteMax20,
    ReductionProrata,
    #[serde(rename = "total_sup_100")]
    TotalSup100,
    SoustraitsSupLiberations,
    /// A value the program chose because none was entered.
    ParametreParDefaut,
    /// Parameters taken from another year.
    ParametreAConfirmer,
    AccordPrefetRequis,
    /// A bilan: no mise à disposition for a réservataire for three months.
    #[serde(rename = "sans_mise_a_disposition_3_mois")]
    SansMiseADisposition3Mois,
    /// A bilan: the State's flux counted at the mise à disposition.
    DecompteEtat,
    /// A bilan: a réservataire's (or the bailleur's own) leases to publics prioritaires under
    /// its CIA objective.
    PrioritairesSousObjectif,
    /// A bilan: the leases outside QPV to first-quartile households under the CIA objective.
    #[serde(rename = "quartile1_hors_qpv_sous_objectif")]
    Quartile1HorsQpvSousObjectif,
    /// A bilan: the leases in QPV to quartiles 2 to 4 under the CIA objective.
    #[serde(rename = "qpv_quartiles_2_4_sous_objectif")]
    QpvQuartiles24SousObjectif,
}

impl Regle {
    /// The name the JSON gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Regle::EtatMax30 => "etat_max_30",
            Regle::FonctionnairesMax5 => "fonctionnaires_max_5",
            Regle::EtatHorsQpvMin30 => "etat_hors_qpv_min_30",
            Regle::CollectiviteMax20 => "collectivite_max_20",
            Regle::ReductionProrata => "reduction_prorata",
            Regle::TotalSup100 => "total_sup_100",
            Regle::SoustraitsSupLiberations => "soustraits_sup_liberations",
            Regle::ParametreParDefaut => "parametre_par_defaut",
            Regle::ParametreAConfirmer => "parametre_a_confirmer",
            Regle::AccordPrefetRequis => "accord_prefet_requis",
            Regle::SansMiseADisposition3Mois => "sans_mise_a_disposition_3_mois",
            Regle::DecompteEtat => "decompte_etat",
            Regle::PrioritairesSousObjectif => "prioritaires_sous_objectif",
            Regle::Quartile1HorsQpvSousObjectif => "quartile1_hors_qpv_sous_objectif",
            Regle::QpvQuartiles24SousObjectif => "qpv_quartiles_2_4_sous_objectif",
        }
    }

    /// A value chosen by the program or to be confirmed, not a breach of a legal rule.
    pub fn est_un_defaut(self) -> bool {
        matches!(self, Regle::ParametreParDefaut | Regle::ParametreAConfirmer)
    }
}

impl fmt::Display for Regle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_written_with_their_json_names() {
        for r in [
            Regle::EtatMax30,
            Regle::FonctionnairesMax5,
            Regle::EtatHorsQpvMin30,
            Regle::CollectiviteMax20,
            Regle::ReductionProrata,
            Regle::TotalSup100,
            Regle::SoustraitsSupLiberations,
            Regle::ParametreParDefaut,
            Regle::ParametreAConfirmer,
            Regle::AccordPrefetRequis,
            Regle::SansMiseADisposition3Mois,
            Regle::DecompteEtat,
            Regle::PrioritairesSousObjectif,
            Regle::Quartile1HorsQpvSousObjectif,
            Regle::QpvQuartiles24SousObjectif,
        ] {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Regle::EtatHorsQpvMin30.as_str(), "etat_hors_qpv_min_30");
        assert_eq!(Regle::SansMiseADisposition3Mois.as_str(), "sans_mise_a_disposition_3_mois");
        assert_eq!(Regle::TotalSup100.as_str(), "total_sup_100");
    }
}
