//! An opt-in trace of how long opening a dossier takes as the user sees it
//! (`CONTINGENTS_TRACE_OUVERTURE=1`): from the request to open it to the first painted screen
//! with its figures, written on the standard error, with each step of the loading job and of
//! the window: its wall time, the time its thread spent on a processor, waiting for one (a
//! loaded machine) and waiting for anything else (the disk, a lock, the next frame). Used by
//! the scale bench of the README.

use std::cell::RefCell;
use std::sync::Mutex;
use std::time::Instant;

static DEMANDE: Mutex<Option<Instant>> = Mutex::new(None);
static LANCEMENT: Mutex<Option<Instant>> = Mutex::new(None);

pub fn active() -> bool {
    std::env::var_os("CONTINGENTS_TRACE_OUVERTURE").is_some_and(|v| v == "1")
}

/// This thread's time on a processor and waiting in the run queue for one, in seconds (Linux's
/// scheduler statistics; `None` elsewhere).
fn temps_du_fil() -> Option<(f64, f64)> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut it = s.split_whitespace().map(|x| x.parse::<u64>().ok());
    Some((it.next()?? as f64 / 1e9, it.next()?? as f64 / 1e9))
}

/// A step a thread is in: its name, start and the thread's times at its start.
type Etape = (String, Instant, (f64, f64));

thread_local! {
    static ETAPE: RefCell<Option<Etape>> = const { RefCell::new(None) };
}

/// This thread enters a step of the opening (`None`: it leaves the last one): the step it
/// leaves is written with its wall time, processor time and waits.
pub fn etape(fil: &str, nom: Option<&str>) {
    if !active() {
        return;
    }
    let Some(depart) = *DEMANDE.lock().unwrap_or_else(|p| p.into_inner()) else { return };
    let maintenant = (Instant::now(), temps_du_fil().unwrap_or_default());
    ETAPE.with(|e| {
        let mut e = e.borrow_mut();
        if let Some((precedente, debut, (cpu0, att0))) = e.take() {
            let mur = maintenant.0.duration_since(debut).as_secs_f64();
            let (cpu, att) = (maintenant.1.0 - cpu0, maintenant.1.1 - att0);
            eprintln!(
                "ouverture : [{fil}] {precedente} : {mur:.3} s (processeur {cpu:.3} s, attente d'un processeur {att:.3} s, autre attente {:.3} s), fini à {:.3} s",
                (mur - cpu - att).max(0.0),
                maintenant.0.duration_since(depart).as_secs_f64()
            );
        }
        if let Some(nom) = nom {
            *e = Some((nom.to_string(), maintenant.0, maintenant.1));
        }
    });
}

/// The window starts.
pub fn lancement() {
    if active() {
        *LANCEMENT.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }
}

/// A dossier is asked to open.
pub fn demande() {
    if active() {
        *DEMANDE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        etape("fenêtre", Some("attente du chargement (images de la barre de progression)"));
    }
}

/// A screen with the dossier's figures was just painted: the first one after a request says
/// how long it took.
pub fn peint() {
    if DEMANDE.lock().unwrap_or_else(|p| p.into_inner()).is_none() {
        return;
    }
    etape("fenêtre", None);
    let Some(t) = DEMANDE.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
    let depuis_lancement = LANCEMENT.lock().unwrap_or_else(|p| p.into_inner()).map(|l| l.elapsed().as_secs_f64());
    eprintln!(
        "ouverture : premier écran rempli {:.3} s après la demande{}",
        t.elapsed().as_secs_f64(),
        depuis_lancement.map(|l| format!(" ({l:.3} s après le lancement)")).unwrap_or_default()
    );
}
