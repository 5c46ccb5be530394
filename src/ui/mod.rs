//! The window. `run` picks the dossier (argument, last one, else the demo dossier built on
//! first run) and starts eframe; everything else lives in `app` and the screens.

mod actions;
mod app;
mod erreur;
mod picker;
mod proprietes;
mod registre;
mod saisie;
mod screens;
mod settings;
mod state;
mod tasks;
#[cfg(test)]
mod tests;
mod theme;
mod trace;

use std::path::PathBuf;

/// The demo dossier in the user's data directory, built from the embedded files if missing.
pub fn demo_dossier() -> anyhow::Result<PathBuf> {
    let p = settings::data_dir().join("demo.sqlite");
    if !p.exists() {
        contingents::demo::construire_dossier(&p)?;
    }
    Ok(p)
}

pub fn run(dossier: Option<PathBuf>, to_import: Vec<PathBuf>, ecran: Option<String>) -> anyhow::Result<()> {
    let screen = match ecran.as_deref() {
        None => None,
        Some(e) => Some(match state::Screen::de_nom(e) {
            Some(s) => s,
            None => {
                let noms: Vec<&str> = state::Screen::ALL.iter().map(|s| s.nom()).collect();
                let (fin, debut) = noms.split_last().expect("screens");
                anyhow::bail!("écran inconnu « {e} » : {} ou {fin}", debut.join(", "))
            }
        }),
    };
    trace::lancement();
    let mut s = settings::AppState::load();
    let dossier = match dossier {
        Some(d) => d,
        None => match s.last_dossier.clone().filter(|p| p.exists()) {
            Some(p) => p,
            None => demo_dossier()?,
        },
    };
    // Remembered as an absolute path: the next start may be from another folder.
    let dossier = std::path::absolute(&dossier).unwrap_or(dossier);
    // Files to import into a dossier that does not exist yet: the window opens on the last
    // dossier (or the demonstration) with the new dossier's wizard, which asks its territory
    // and reference date before anything is created or imported.
    let (dossier, a_creer) = if !to_import.is_empty() && !dossier.exists() {
        let ouvert = match s.last_dossier.clone().filter(|p| p.exists() && *p != dossier) {
            Some(p) => p,
            None => demo_dossier()?,
        };
        (ouvert, Some(dossier))
    } else {
        (dossier, None)
    };
    let size = s.window_size.unwrap_or([1280.0, 800.0]);
    s.remember(&dossier);
    if let Some(screen) = screen {
        s.screen = screen;
    }
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Contingents")
            .with_inner_size(size)
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let creator: eframe::AppCreator = Box::new(move |cc| {
        let mut app = app::App::new(s);
        app.travaux.ctx = Some(cc.egui_ctx.clone());
        app.demarrer(dossier, a_creer, to_import);
        Ok(Box::new(app))
    });
    eframe::run_native("Contingents", options, creator)
        .map_err(|e| anyhow::anyhow!("impossible d'ouvrir la fenêtre : {e}"))
}
