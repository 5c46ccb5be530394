//! A new dossier's wizard (territory, reference date proposed) and the dossier's properties
//! being changed, with the effect of the change computed by the core.

use crate::ui::erreur::Erreur;
use contingents::model::Date;
use contingents::reference::Territoire;
use std::path::PathBuf;

/// The new dossier's wizard: its file (chosen in the file dialog), the territory searched
/// by name or code, the reference date typed the French way.
pub struct Creation {
    pub path: PathBuf,
    pub recherche: String,
    pub territoire: Option<Territoire>,
    pub date: String,
    /// Why that date was proposed (said under the field).
    pub pourquoi: String,
    /// The files named on the command line (`gui DOSSIER --importer`) that wait for this
    /// dossier: opened in the import wizard once it is created.
    pub en_attente: Vec<String>,
}

/// The reference date proposed for a new dossier on `aujourdhui`, and why: the core's one rule
/// ([`contingents::store::date_reference_pour`]; the command line's silent default keeps its
/// contract, 1 January of the current year): 1 January of
/// this year, or of next year from October on (the états des lieux then prepared are those of
/// the coming year's flux) — never a date almost a year old.
pub fn date_de_reference_proposee(aujourdhui: Date) -> (Date, String) {
    const MOIS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let mois = MOIS.get(aujourdhui.month as usize - 1).copied().unwrap_or("");
    let d = contingents::store::date_reference_pour(aujourdhui);
    if d.year > aujourdhui.year {
        let annee = d.year;
        (
            d,
            format!(
                "Proposée : le 1er janvier {annee}, début de l'année du prochain flux (nous sommes en {mois} {}). Prenez la date des états des lieux que les bailleurs vous ont envoyés.",
                aujourdhui.year
            ),
        )
    } else {
        (
            d,
            format!(
                "Proposée : le 1er janvier {}, début de l'année en cours. Prenez la date des états des lieux que les bailleurs vous ont envoyés.",
                aujourdhui.year
            ),
        )
    }
}

/// The dossier's properties being changed: the territory and date typed, and what the
/// change would do, computed by the core before it is applied.
pub struct Proprietes {
    pub recherche: String,
    pub territoire: Territoire,
    pub date: String,
    /// The effect of the change asked (for this territory and date), once computed.
    pub effet: Option<(Territoire, Date, Result<EffetChangement, Erreur>)>,
    /// The change whose effect was asked (asked once, not at each frame).
    pub demande: Option<(Territoire, Date)>,
}

/// What a change of the dossier's territory or reference date does, as the core counts it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EffetChangement {
    /// Dwellings of the dossier outside the new territory (set aside).
    pub sortent: u64,
    /// Rows set aside as outside the old territory that the new one takes in.
    pub entrent: u64,
    /// Extinct rights at the current date, and at the new one.
    pub echus_avant: u64,
    pub echus_apres: u64,
    /// The reference date changes (else the extinct rights change only with the dwellings
    /// that leave or come in).
    pub date: bool,
}

impl EffetChangement {
    /// The effect in words: « 17 logements sortent du territoire », « 174 droits ne sont plus
    /// échus ».
    pub fn phrases(&self) -> Vec<String> {
        use contingents::format::pluriel;
        let mut v = Vec::new();
        if self.sortent > 0 {
            v.push(format!(
                "{} du territoire (mis de côté : commune hors territoire)",
                pluriel(self.sortent, "logement sort", "logements sortent")
            ));
        }
        if self.entrent > 0 {
            v.push(format!(
                "{} dans le territoire (réintégrées au stock)",
                pluriel(self.entrent, "ligne mise de côté entre", "lignes mises de côté entrent")
            ));
        }
        if !self.date && self.echus_apres != self.echus_avant {
            v.push(format!(
                "droits échus : {} au lieu de {}",
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        } else if self.echus_apres < self.echus_avant {
            v.push(format!(
                "{} plus échu{} ({} au lieu de {})",
                pluriel(self.echus_avant - self.echus_apres, "droit n'est", "droits ne sont"),
                if self.echus_avant - self.echus_apres > 1 { "s" } else { "" },
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        } else if self.echus_apres > self.echus_avant {
            v.push(format!(
                "{} échu{} ({} au lieu de {})",
                pluriel(self.echus_apres - self.echus_avant, "droit devient", "droits deviennent"),
                if self.echus_apres - self.echus_avant > 1 { "s" } else { "" },
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        }
        if v.is_empty() {
            v.push("aucun logement ni droit ne change".into());
        } else if self.echus_apres != self.echus_avant || self.sortent > 0 || self.entrent > 0 {
            // The flux is computed on the rights in force: what was saved or signed may differ.
            v.push(
                "les flux enregistrés et les annexes suivent le nouveau stock : leurs chiffres peuvent changer (refaites les annexes déjà éditées)"
                    .into(),
            );
        }
        v
    }
}
