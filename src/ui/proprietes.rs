//! The dossier's properties (territory, reference date): shown, and changed with their
//! effect said first. The effect and the change are the core's (`import::changements`,
//! `Dossier::effet_date_reference`); this part only runs them as jobs and takes their answer.

use super::app::App;
use super::erreur::Erreur;
use super::state::{EffetChangement, Proprietes};
use super::tasks::{Fait, JobOutput};
use contingents::format::date_fr;
use contingents::import::changements::changer_territoire;
use contingents::model::Date;
use contingents::reference::Territoire;
use contingents::store::Dossier;
use std::path::Path;

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

    /// What the change would do, counted by the core without writing anything.
    pub(super) fn effet_proprietes(&mut self, territoire: Territoire, date: Date) {
        let Some(path) = self.dossier_path() else { return };
        self.lancer("effet", move |p, _| {
            p.update(0.2, "Effet du changement");
            JobOutput::Effet(territoire.clone(), date, effet(&path, &territoire, date))
        });
    }

    /// The change, territory first (the dwellings outside it set aside, the rows it takes
    /// in read again), then the date.
    pub(super) fn appliquer_proprietes(&mut self, territoire: Territoire, date: Date) {
        self.sur_dossier("propriétés", true, move |d| {
            let mut e = EffetChangement { date: date != d.date_reference(), ..Default::default() };
            if territoire != d.territoire() {
                let t = changer_territoire(d, &territoire)?;
                (e.sortent, e.entrent) = (t.sortants.len() as u64, t.entrants as u64);
            }
            let x = d.changer_date_reference(date)?;
            (e.echus_avant, e.echus_apres) = (x.echus_avant, x.echus_apres);
            Ok(Fait::ProprietesChangees(e.phrases().join(", ")))
        });
    }
}

/// The effect of a change of territory and date, exactly as [`App::appliquer_proprietes`]
/// will make it, nothing written: a date alone is counted on the dossier; a new territory on
/// a copy of the dossier (the extinct rights after depend on the dwellings it keeps and takes
/// in), the copy removed.
fn effet(path: &Path, territoire: &Territoire, date: Date) -> Result<EffetChangement, Erreur> {
    let d = Dossier::open_read_only(path)?;
    let mut e = EffetChangement { date: date != d.date_reference(), ..Default::default() };
    if *territoire == d.territoire() {
        let x = d.effet_date_reference(date)?;
        (e.echus_avant, e.echus_apres) = (x.echus_avant, x.echus_apres);
        return Ok(e);
    }
    e.echus_avant = d.droits_echus_au(d.date_reference())?;
    drop(d);
    let mut copie = Copie::de(path)?;
    let t = changer_territoire(&mut copie.dossier, territoire)?;
    (e.sortent, e.entrent) = (t.sortants.len() as u64, t.entrants as u64);
    e.echus_apres = copie.dossier.droits_echus_au(date)?;
    Ok(e)
}

/// A copy of a dossier in the system's temporary folder, removed when dropped.
struct Copie {
    dossier: Dossier,
    chemin: std::path::PathBuf,
}

impl Copie {
    fn de(path: &Path) -> Result<Copie, Erreur> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let chemin = std::env::temp_dir().join(format!("contingents-effet-{}-{n}.contingents", std::process::id()));
        std::fs::copy(path, &chemin).map_err(|e| Erreur::Texte(format!("copie du dossier impossible ({e})")))?;
        let dossier = Dossier::open(&chemin, false).inspect_err(|_| {
            let _ = std::fs::remove_file(&chemin);
        })?;
        Ok(Copie { dossier, chemin })
    }
}

impl Drop for Copie {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.chemin);
        let _ = std::fs::remove_file(format!("{}-journal", self.chemin.display()));
    }
}
