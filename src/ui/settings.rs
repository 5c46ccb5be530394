//! What the window remembers between runs (`AppState`, saved apart from everything the
//! window only holds while it runs): last and recent dossiers, window size, workshop mode,
//! the screen, the filters and the chart chosen. The dossier holds everything else.

use super::picker::Usage;
use super::state::{ChoixGraphique, Screen};
use contingents::consolidate::Filtre;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    pub last_dossier: Option<PathBuf>,
    pub recent: Vec<PathBuf>,
    pub window_size: Option<[f32; 2]>,
    pub workshop: bool,
    pub screen: Screen,
    /// The filters and réservataire chosen, for `last_dossier` only (codes of its communes);
    /// the panel's réservataire is kept apart (it limits the grid, the dashboard on demand).
    pub filters: Filtre,
    pub reservataire: Option<contingents::model::Reservataire>,
    pub graphique: ChoixGraphique,
    /// The filter panel folded away (more room for a chart in front of a room).
    pub filtres_masques: bool,
    /// The folder last used to open a dossier, to import files, to export a document.
    pub dossiers_par_usage: std::collections::BTreeMap<Usage, PathBuf>,
    /// The folders where files were really chosen, the last first.
    pub dossiers_recents: Vec<PathBuf>,
    /// The flux screen's selection, for each dossier.
    pub flux: std::collections::BTreeMap<PathBuf, SelectionFlux>,
    /// « Tous les réservataires » chosen for the grid (`reservataire` is then `None`).
    pub tous_les_reservataires: bool,
    /// The bilans screen's period and bailleur, for each dossier.
    pub bilans: std::collections::BTreeMap<PathBuf, SelectionBilan>,
}

/// A year, a semester (or the whole year) and a bailleur (or all) of the bilans screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionBilan {
    pub annee: i32,
    pub semestre: Option<u8>,
    pub bailleur: Option<String>,
}

/// A bailleur, an EPCI and a year of the flux screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionFlux {
    pub bailleur: String,
    pub epci: String,
    pub annee: i32,
}

/// The per-OS directories (`directories`): `~/.config/contingents` and
/// `~/.local/share/contingents` on Linux, `%APPDATA%\\Contingents` on Windows,
/// `~/Library/Application Support/fr.Contingents.contingents` on macOS.
/// `CONTINGENTS_HOME` puts both under one folder (tests, portable installs).
fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("fr", "Contingents", "contingents")
}

fn home_override(sub: &str) -> Option<PathBuf> {
    std::env::var_os("CONTINGENTS_HOME").filter(|d| !d.is_empty()).map(|d| PathBuf::from(d).join(sub))
}

/// Where settings live.
pub fn config_dir() -> PathBuf {
    home_override("config")
        .or_else(|| dirs().map(|d| d.config_dir().to_path_buf()))
        .unwrap_or_else(|| std::env::temp_dir().join("contingents"))
}

/// Where the demo dossier lives.
pub fn data_dir() -> PathBuf {
    home_override("share")
        .or_else(|| dirs().map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(|| std::env::temp_dir().join("contingents"))
}

impl AppState {
    /// The dashboard's filter: the panel's, and the réservataire chosen when the dashboard is
    /// limited to it.
    pub fn filtre_tableau(&self) -> contingents::consolidate::Filtre {
        self.filters.avec_reservataire(self.reservataire.as_deref().filter(|_| self.graphique.par_reservataire))
    }

    /// Takes back a dashboard's filter changed by a click (the réservataire limits the
    /// dashboard when it is set, and stays chosen for the grid when lifted).
    pub fn set_filtre_tableau(&mut self, f: contingents::consolidate::Filtre) {
        self.graphique.par_reservataire = f.reservataire.is_some();
        let Filtre { reservataire, .. } = &f;
        if reservataire.is_some() {
            self.reservataire = reservataire.clone();
        }
        self.filters = Filtre { reservataire: None, ..f };
    }

    pub fn load() -> Self {
        std::fs::read_to_string(config_dir().join("settings.json"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    pub fn save(&self) {
        let dir = config_dir();
        if std::fs::create_dir_all(&dir).is_ok()
            && let Ok(s) = serde_json::to_string_pretty(self)
        {
            let tmp = dir.join("settings.json.tmp");
            if std::fs::write(&tmp, s).is_ok() {
                let _ = std::fs::rename(tmp, dir.join("settings.json"));
            }
        }
    }

    /// A file chosen for a use: its folder is where the next dialog of that use starts, and
    /// the first of the recent folders.
    pub fn dossier_utilise(&mut self, usage: Usage, fichier: &std::path::Path) {
        let Some(dir) = fichier.parent().filter(|d| !d.as_os_str().is_empty()) else { return };
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        self.dossiers_par_usage.insert(usage, dir.clone());
        self.dossiers_recents.retain(|d| *d != dir);
        self.dossiers_recents.insert(0, dir);
        self.dossiers_recents.truncate(8);
    }

    /// Another dossier than the last one: its filters do not apply (other communes).
    pub fn remember(&mut self, dossier: &std::path::Path) {
        if self.last_dossier.as_deref() != Some(dossier) {
            self.filters = Filtre::default();
            self.reservataire = None;
            self.tous_les_reservataires = false;
        }
        self.last_dossier = Some(dossier.to_path_buf());
        self.recent.retain(|p| p != dossier);
        self.recent.insert(0, dossier.to_path_buf());
        self.recent.truncate(8);
    }
}
