//! The dossier's properties (territory, reference date): shown, and changed with their
//! effect said first. The effect and the change are the core's; this part only runs them
//! as jobs and takes their answer.

use super::app::App;
use super::erreur::Erreur;
use super::state::{EffetChangement, Proprietes};
use super::tasks::{Fait, JobOutput};
use contingents::format::date_fr;
use contingents::model::Date;
use contingents::reference::Territoire;
use contingents::store::Dossier;

impl App {
    pub(super) fn ouvrir_proprietes(&mut self) {
        let Some(v) = &self.view else { return };
        self.ecrans.proprietes = Some(Proprietes {
            recherche: String::new(),
            territoire: v.territoire.clone(),
            date: date_fr(&v.date_reference.to_string()),
            effet: None,
            demande: None,
        });
    }

    /// What the change would do, counted by the core on the dossier (read only).
    pub(super) fn effet_proprietes(&mut self, territoire: Territoire, date: Date) {
        let Some(path) = self.dossier_path() else { return };
        self.lancer("effet", move |_, _| {
            let r = Dossier::open_read_only(&path).map_err(Erreur::from).and_then(|d| effet(&d, &territoire, date));
            JobOutput::Effet(territoire, date, r)
        });
    }

    pub(super) fn appliquer_proprietes(&mut self, territoire: Territoire, date: Date) {
        self.sur_dossier("propriétés", true, move |d| {
            let e = effet(d, &territoire, date)?;
            if territoire != d.territoire() {
                return Err(Erreur::TerritoireNonModifiable);
            }
            d.set_parametre("date_reference", &date.to_string())?;
            Ok(Fait::ProprietesChangees(e.phrases().join(", ")))
        });
    }
}

/// The effect of a change of territory and date on a dossier.
fn effet(d: &Dossier, territoire: &Territoire, date: Date) -> Result<EffetChangement, Erreur> {
    if *territoire != d.territoire() {
        return Err(Erreur::TerritoireNonModifiable);
    }
    Ok(EffetChangement {
        sortent: 0,
        entrent: 0,
        echus_avant: contingents::consolidate::echus_au(d, d.date_reference())? as u64,
        echus_apres: contingents::consolidate::echus_au(d, date)? as u64,
    })
}
