//! An opt-in trace of how long opening a dossier takes as the user sees it
//! (`CONTINGENTS_TRACE_OUVERTURE=1`): from the request to open it to the first painted screen
//! with its figures, written on the standard error. Used by the scale bench of the README.

use std::sync::Mutex;
use std::time::Instant;

static DEMANDE: Mutex<Option<Instant>> = Mutex::new(None);
static LANCEMENT: Mutex<Option<Instant>> = Mutex::new(None);

fn active() -> bool {
    std::env::var_os("CONTINGENTS_TRACE_OUVERTURE").is_some_and(|v| v == "1")
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
    }
}

/// A screen with the dossier's figures was just painted: the first one after a request says
/// how long it took.
pub fn peint() {
    let Some(t) = DEMANDE.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
    let depuis_lancement = LANCEMENT.lock().unwrap_or_else(|p| p.into_inner()).map(|l| l.elapsed().as_secs_f64());
    eprintln!(
        "ouverture : premier écran rempli {:.3} s après la demande{}",
        t.elapsed().as_secs_f64(),
        depuis_lancement.map(|l| format!(" ({l:.3} s après le lancement)")).unwrap_or_default()
    );
}
