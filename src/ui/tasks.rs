//! Long work (reading files, imports) runs on a named thread with its own SQLite
//! connection; the window polls the result each frame and draws the progress.

use contingents::import::run::{FileSummary, PreparedFile, Progress};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

pub enum JobOutput {
    /// The files read, and those refused (with the reason, naming the file).
    Prepared(Result<(Vec<PreparedFile>, Vec<String>), String>),
    Imported(Result<Vec<FileSummary>, String>),
    Exported(Result<std::path::PathBuf, String>),
    /// The flux screen's selection loaded.
    Flux(Result<Box<crate::ui::state::FluxView>, String>),
    /// The bilans screen computed.
    Bilan(Result<Box<crate::ui::state::BilanView>, String>),
    /// A dossier's figures loaded (`fresh`: newly opened, else refreshed after a change).
    Loaded {
        path: std::path::PathBuf,
        fresh: bool,
        view: Result<Box<crate::ui::state::DossierView>, String>,
    },
}

pub struct Job {
    pub label: String,
    pub progress: Arc<Mutex<(f32, String)>>,
    pub cancel: Arc<AtomicBool>,
    rx: Receiver<JobOutput>,
}

struct SharedProgress {
    state: Arc<Mutex<(f32, String)>>,
    ctx: eframe::egui::Context,
}

impl Progress for SharedProgress {
    fn update(&self, fraction: f32, message: &str) {
        if let Ok(mut s) = self.state.lock() {
            *s = (fraction, message.to_string());
        }
        self.ctx.request_repaint();
    }
}

impl Job {
    /// Runs `work` on a background thread (or at once when `synchronous`, for tests).
    pub fn spawn(
        label: &str,
        ctx: &eframe::egui::Context,
        synchronous: bool,
        work: impl FnOnce(&dyn Progress, &AtomicBool) -> JobOutput + Send + 'static,
    ) -> Job {
        let progress = Arc::new(Mutex::new((0.0, String::new())));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let p = SharedProgress { state: progress.clone(), ctx: ctx.clone() };
        let c = cancel.clone();
        let ctx2 = ctx.clone();
        let run = move || {
            let out = work(&p, &c);
            let _ = tx.send(out);
            ctx2.request_repaint();
        };
        if synchronous {
            run();
        } else if let Err(e) = std::thread::Builder::new().name(format!("contingents-{label}")).spawn(run) {
            eprintln!("contingents : impossible de lancer la tâche ({e})");
        }
        Job { label: label.to_string(), progress, cancel, rx }
    }

    pub fn poll(&self) -> Option<JobOutput> {
        self.rx.try_recv().ok()
    }

    pub fn fraction(&self) -> (f32, String) {
        self.progress.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
