//! The column plans the dossier keeps with each import (`imports.colonnes`): how each sheet of
//! the file was read — its header rows and which column holds which field. A row set aside is
//! read again through them when a label is mapped later, and a dwelling's optional columns
//! (address, floor, rent) are found through them. The dossier's own record, independent of the
//! import's working types: the JSON keeps the shape of the first dossiers.

use crate::model::Field;
use serde::{Deserialize, Serialize};

/// How one sheet of an imported file was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDeFeuille {
    /// The sheet's name (none for a CSV file).
    pub feuille: Option<String>,
    #[serde(rename = "header")]
    pub entete: EnteteDeFeuille,
    /// The sheet's name as the commune of every row, when it has no commune column.
    pub commune_feuille: Option<String>,
    /// The sheet's name as the réservataire of every row, when it has no réservataire column.
    #[serde(default)]
    pub reservataire_feuille: Option<String>,
}

/// A sheet's header: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnteteDeFeuille {
    /// Index (in the sheet's range) of the first header row.
    #[serde(rename = "row")]
    pub ligne: usize,
    /// 1 or 2 header rows.
    #[serde(rename = "rows")]
    pub lignes: usize,
    #[serde(rename = "labels")]
    pub libelles: Vec<String>,
    #[serde(rename = "columns")]
    pub colonnes: Vec<(Field, usize)>,
    pub score: u32,
}

impl EnteteDeFeuille {
    /// The column holding a field.
    pub fn colonne(&self, f: Field) -> Option<usize> {
        self.colonnes.iter().find(|(g, _)| *g == f).map(|(_, c)| *c)
    }
}

/// The plans as written in the dossier.
pub(super) fn ecrire(plans: &[PlanDeFeuille]) -> String {
    serde_json::to_string(plans).unwrap_or_default()
}

/// The plans read back (none when unreadable: the rows of that import are not read again).
pub(super) fn lire(json: &str) -> Vec<PlanDeFeuille> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The plan of one sheet of an import.
pub(super) fn de_la_feuille(json: &str, feuille: Option<&str>) -> Option<PlanDeFeuille> {
    lire(json).into_iter().find(|p| p.feuille.as_deref() == feuille)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan written by the first dossiers reads back, and is written again identically.
    #[test]
    fn the_plans_of_earlier_dossiers_read_back_unchanged() {
        let json = r#"[{"feuille":"Antibes","header":{"row":2,"rows":1,"labels":["Réf","Typo"],"columns":[["reference",0],["typologie",1]],"score":20},"commune_feuille":"Antibes"}]"#;
        let plans = lire(json);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].entete.colonne(Field::Typologie), Some(1));
        assert_eq!(plans[0].reservataire_feuille, None);
        assert_eq!(
            ecrire(&plans),
            json.replace(
                r#""commune_feuille":"Antibes"}"#,
                r#""commune_feuille":"Antibes","reservataire_feuille":null}"#
            )
        );
        assert_eq!(de_la_feuille(json, Some("Antibes")).map(|p| p.entete.ligne), Some(2));
        assert!(de_la_feuille(json, None).is_none());
        assert!(lire("pas du json").is_empty());
    }
}
