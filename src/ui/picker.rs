//! Choosing files. The system's dialog (rfd, through the xdg portal on Linux) when it
//! answers; else a file picker drawn in the window — open one or several files, save as,
//! recent folders, filter by extension, a path typed by hand — so that no button ever does
//! nothing without a word.

use super::state::Effet;
use contingents::model::Reservataire;
use eframe::egui;
use std::path::{Path, PathBuf};

/// What the chosen path(s) are for: the action that follows.
#[derive(Debug, Clone, PartialEq)]
pub enum Suite {
    OuvrirDossier,
    NouveauDossier,
    Importer,
    Rapprocher,
    Bilan,
    FicheAssiette {
        bailleur: String,
        annee: i32,
    },
    Prevision {
        bailleur: String,
        annee: i32,
    },
    Graphique,
    EtatDesLieux,
    Annexe {
        reservataire: Reservataire,
        commune: Option<String>,
        epci: Option<String>,
        bailleur: Option<String>,
        annee: i32,
    },
    NavetteVierge,
    Navette {
        bailleur: String,
        reference: String,
        reservataire: Reservataire,
    },
    NavetteMiseADisposition(i64),
}

/// The three uses of the file dialogs: each starts in the folder last used for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Usage {
    /// Opening or creating a dossier.
    Ouvrir,
    /// Files read into the dossier (états des lieux, registers, declarations).
    Importer,
    /// Documents written.
    Exporter,
}

impl Suite {
    /// What the choice does to the open dossier (see [`Effet`]), said once per case.
    pub fn effet(&self) -> Effet {
        match self {
            Suite::NouveauDossier => Effet::Fenetre,
            Suite::Importer => Effet::Ecriture,
            Suite::OuvrirDossier
            | Suite::Rapprocher
            | Suite::Bilan
            | Suite::FicheAssiette { .. }
            | Suite::Prevision { .. }
            | Suite::Graphique
            | Suite::EtatDesLieux
            | Suite::Annexe { .. }
            | Suite::NavetteVierge
            | Suite::Navette { .. }
            | Suite::NavetteMiseADisposition(_) => Effet::Lecture,
        }
    }

    /// The extensions a document of this kind is written in (the first: the usual one);
    /// `None` for what is not a document written.
    pub fn extensions(&self) -> Option<&'static [&'static str]> {
        match self {
            Suite::NouveauDossier => Some(&["contingents"]),
            Suite::OuvrirDossier | Suite::Importer | Suite::Rapprocher => None,
            Suite::Bilan => Some(&["pdf", "xlsx", "png", "svg"]),
            Suite::Graphique => Some(&["png", "svg"]),
            Suite::EtatDesLieux => Some(&["xlsx"]),
            Suite::FicheAssiette { .. }
            | Suite::Prevision { .. }
            | Suite::Annexe { .. }
            | Suite::NavetteVierge
            | Suite::Navette { .. }
            | Suite::NavetteMiseADisposition(_) => Some(&["pdf", "xlsx"]),
        }
    }

    pub fn usage(&self) -> Usage {
        match self {
            Suite::OuvrirDossier | Suite::NouveauDossier => Usage::Ouvrir,
            Suite::Importer | Suite::Rapprocher => Usage::Importer,
            Suite::Bilan
            | Suite::FicheAssiette { .. }
            | Suite::Prevision { .. }
            | Suite::Graphique
            | Suite::EtatDesLieux
            | Suite::Annexe { .. }
            | Suite::NavetteVierge
            | Suite::Navette { .. }
            | Suite::NavetteMiseADisposition(_) => Usage::Exporter,
        }
    }
}

/// Files the picker never lists: a dossier's lock and SQLite's side files.
fn cache(nom: &str) -> bool {
    nom.starts_with('.') || [".verrou", "-journal", "-wal", "-shm"].iter().any(|s| nom.ends_with(s))
}

/// Whether a file is a Contingents dossier, whatever its name (the core reads its
/// application id).
pub fn est_un_dossier(path: &Path) -> bool {
    contingents::store::est_un_dossier(path)
}

/// A request for a file: to open (one or several) or to save under a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Demande {
    pub titre: String,
    pub enregistrer: bool,
    pub plusieurs: bool,
    pub nom: String,
    pub filtre: Option<(&'static str, &'static [&'static str])>,
    pub suite: Suite,
}

impl Demande {
    pub fn ouvrir(titre: &str, filtre: (&'static str, &'static [&'static str]), plusieurs: bool, suite: Suite) -> Self {
        Self { titre: titre.into(), enregistrer: false, plusieurs, nom: String::new(), filtre: Some(filtre), suite }
    }

    /// Saving a document: only its own extensions are listed and accepted.
    pub fn enregistrer(titre: &str, nom: String, suite: Suite) -> Self {
        let filtre = suite.extensions().map(|e| (libelle_formats(e), e));
        Self { titre: titre.into(), enregistrer: true, plusieurs: false, nom, filtre, suite }
    }

    /// The system's dialog, opened in `depart`. `None`: cancelled, or no dialog could be shown.
    pub fn systeme(&self, depart: Option<&Path>) -> Option<Vec<PathBuf>> {
        let mut d = rfd::FileDialog::new().set_title(&self.titre);
        if let Some(dir) = depart {
            d = d.set_directory(dir);
        }
        if let Some((label, exts)) = self.filtre {
            d = d.add_filter(label, exts);
        }
        if self.enregistrer {
            d.set_file_name(&self.nom).save_file().map(|p| vec![p])
        } else if self.plusieurs {
            d.pick_files()
        } else {
            d.pick_file().map(|p| vec![p])
        }
    }
}

/// Whether the system's file dialog can be expected to answer: on Linux it needs a D-Bus
/// session (the xdg portal); elsewhere the OS provides it.
pub fn systeme_disponible() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
            || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists())
    } else {
        true
    }
}

/// The name of a list of formats, for the dialogs: « Documents PDF ou xlsx ».
fn libelle_formats(e: &[&str]) -> &'static str {
    match e {
        ["contingents"] => "Dossier Contingents",
        ["xlsx"] => "Classeur xlsx",
        ["png", "svg"] => "Images PNG ou SVG",
        ["pdf", "xlsx"] => "Documents PDF ou xlsx",
        _ => "Documents PDF, xlsx, PNG ou SVG",
    }
}

/// « .pdf ou .xlsx ».
fn en_extensions(e: &[&str]) -> String {
    let v: Vec<String> = e.iter().map(|x| format!(".{x}")).collect();
    match v.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} ou {last}", rest.join(", ")),
        _ => v.join(""),
    }
}

/// A file of the dossier's own imports: its name and its content's SHA-256 (as the history
/// keeps them). A document is never written over one of them.
pub type Source = (String, String);

/// Why a document may not be written at `p`: a Contingents dossier (whatever its name), a
/// file imported into the dossier (by its name or its content), or a file another program
/// reads as the dossier (`.contingents`, `.sqlite`, `.db`).
pub fn refus_d_ecriture(p: &Path, sources: &[Source]) -> Option<Refus> {
    if !p.exists() {
        return None;
    }
    let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase()).unwrap_or_default();
    if est_un_dossier(p) || matches!(ext.as_str(), "contingents" | "sqlite" | "db") {
        return Some(Refus::Dossier(p.to_path_buf()));
    }
    let nom = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let importe = sources.iter().any(|(f, _)| Path::new(f).file_name().is_some_and(|f| f.to_string_lossy() == nom))
        || (!sources.is_empty()
            && std::fs::read(p)
                .map(|b| contingents::sha256::hex_digest(&b))
                .is_ok_and(|h| sources.iter().any(|(_, s)| *s == h)));
    importe.then(|| Refus::Source(p.to_path_buf()))
}

/// Why the picker cannot answer yet: said under its fields.
#[derive(Debug, thiserror::Error)]
pub enum Refus {
    #[error("Donnez un nom de fichier.")]
    SansNom,
    #[error("Le dossier de {} n'existe pas.", .0.display())]
    DossierAbsent(PathBuf),
    #[error("{} n'est pas un fichier.", .0.display())]
    PasUnFichier(PathBuf),
    #[error("Choisissez un fichier dans la liste ou écrivez son chemin.")]
    RienChoisi,
    #[error("« {0} » : ce document s'enregistre en {1}. Changez l'extension du nom.")]
    Extension(String, String),
    #[error("{} est un dossier Contingents : aucun document ne s'écrit à sa place. Choisissez un autre nom.", .0.display())]
    Dossier(PathBuf),
    #[error("{} a été importé dans le dossier : aucun document ne s'écrit à sa place. Choisissez un autre nom.", .0.display())]
    Source(PathBuf),
}

/// What the picker gave this frame.
pub enum Issue {
    Choisi(Suite, Vec<PathBuf>),
    Annule,
}

/// The file picker drawn in the window.
pub struct Picker {
    pub demande: Demande,
    pub dossier: PathBuf,
    /// The file name (save) or a path typed by hand.
    pub saisie: String,
    pub selection: Vec<PathBuf>,
    pub message: Option<String>,
    pub recents: Vec<PathBuf>,
    /// The files imported into the open dossier: never written over.
    pub sources: Vec<Source>,
    /// The file chosen exists: « le remplacer ? » waits for the user's word.
    pub remplacer: Option<PathBuf>,
    entries: Liste,
}

/// A folder's listing: read on a short thread (a network folder may take seconds), kept
/// once read. Each entry: its path, whether it is a folder, whether it is a Contingents
/// dossier without a dossier's extension (looked at only when a dossier is being opened).
type Entrees = Result<Vec<Entree>, String>;

#[derive(Debug, Clone)]
struct Entree {
    path: PathBuf,
    dossier: bool,
    contingents: bool,
}

#[derive(Default)]
enum Liste {
    #[default]
    Aucune,
    EnCours(PathBuf, std::sync::mpsc::Receiver<Entrees>),
    Lue(PathBuf, Entrees),
}

impl Picker {
    pub fn new(demande: Demande, depart: Option<PathBuf>, recents: Vec<PathBuf>, message: Option<String>) -> Self {
        let dossier = depart
            .filter(|d| d.is_dir())
            .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let saisie = demande.nom.clone();
        Self {
            demande,
            dossier,
            saisie,
            selection: vec![],
            message,
            recents,
            sources: vec![],
            remplacer: None,
            entries: Liste::Aucune,
        }
    }

    fn accepte(&self, e: &Entree) -> bool {
        if e.dossier || e.contingents {
            return true;
        }
        match self.demande.filtre {
            None => true,
            Some((_, exts)) => e
                .path
                .extension()
                .map(|x| x.to_string_lossy().to_lowercase())
                .is_some_and(|x| exts.iter().any(|y| *y == x)),
        }
    }

    /// The folder's sub-folders then its files (those the filter accepts), by name; `None`
    /// while the folder is being read.
    fn lister(&mut self, ctx: &egui::Context) -> Option<Vec<(PathBuf, bool)>> {
        if let Liste::EnCours(d, rx) = &self.entries
            && *d == self.dossier
            && let Ok(r) = rx.try_recv()
        {
            self.entries = Liste::Lue(d.clone(), r);
        }
        match &self.entries {
            Liste::Lue(d, r) if *d == self.dossier => {
                return match r {
                    Ok(v) => Some(v.iter().filter(|e| self.accepte(e)).map(|e| (e.path.clone(), e.dossier)).collect()),
                    Err(e) => {
                        self.message = Some(format!("Impossible de lire {} ({e})", self.dossier.display()));
                        Some(vec![])
                    }
                };
            }
            Liste::EnCours(d, _) if *d == self.dossier => return None,
            _ => {}
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (dossier, ctx) = (self.dossier.clone(), ctx.clone());
        // Files without a dossier's extension are looked at (16 bytes and 4) only to open a dossier.
        let regarder = self.demande.suite == Suite::OuvrirDossier;
        let lire = move || {
            let r = std::fs::read_dir(&dossier).map_err(|e| e.to_string()).map(|rd| {
                let mut out: Vec<Entree> = rd
                    .filter_map(|e| e.ok())
                    .filter(|e| !cache(&e.file_name().to_string_lossy()))
                    .map(|e| {
                        let path = e.path();
                        let dossier = path.is_dir();
                        let contingents = regarder && !dossier && path.extension().is_none() && est_un_dossier(&path);
                        Entree { path, dossier, contingents }
                    })
                    .collect();
                out.sort_by(|a, b| {
                    (!a.dossier).cmp(&!b.dossier).then_with(|| {
                        let nom = |e: &Entree| {
                            e.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                        };
                        contingents::text::ordre_francais(&nom(a), &nom(b))
                    })
                });
                out
            });
            let _ = tx.send(r);
            ctx.request_repaint();
        };
        if std::thread::Builder::new().name("contingents-repertoire".into()).spawn(lire.clone()).is_err() {
            lire();
        }
        self.entries = Liste::EnCours(self.dossier.clone(), rx);
        None
    }

    fn aller(&mut self, d: PathBuf) {
        self.dossier = d;
        self.selection.clear();
        self.message = None;
    }

    /// The path typed in the field: `~` for the home folder, a relative path from the folder
    /// shown. `None` when nothing is typed.
    fn chemin_saisi(&self) -> Option<PathBuf> {
        let typed = self.saisie.trim();
        if typed.is_empty() {
            return None;
        }
        let home = || directories::UserDirs::new().map(|u| u.home_dir().to_path_buf());
        let p = if typed == "~" {
            home().unwrap_or_else(|| PathBuf::from(typed))
        } else if let Some(rest) = typed.strip_prefix("~/") {
            home().map(|h| h.join(rest)).unwrap_or_else(|| PathBuf::from(typed))
        } else {
            PathBuf::from(typed)
        };
        Some(if p.is_absolute() { p } else { self.dossier.join(p) })
    }

    /// Entrée in the path field (or « Ouvrir » with a folder typed): a folder is opened in the
    /// list; a file is selected in its folder (to save: its folder opened, its name kept).
    /// False when the path is neither (said under the fields) or nothing is typed.
    fn suivre_saisie(&mut self) -> bool {
        let Some(p) = self.chemin_saisi() else { return false };
        if p.is_dir() {
            self.aller(p);
            // To save, the name proposed stays (only the folder was typed).
            self.saisie = if self.demande.enregistrer { self.demande.nom.clone() } else { String::new() };
            self.remplacer = None;
            return true;
        }
        let parent = p.parent().filter(|d| d.is_dir()).map(Path::to_path_buf);
        let nom = p.file_name().map(|n| n.to_string_lossy().to_string());
        match (parent, nom) {
            (Some(d), Some(nom)) if self.demande.enregistrer => {
                self.aller(d);
                self.saisie = nom;
                self.remplacer = None;
                true
            }
            (Some(d), Some(_)) if p.is_file() => {
                self.aller(d);
                self.selection = vec![p];
                self.saisie.clear();
                true
            }
            _ => {
                self.message = Some(format!("« {} » n'existe pas : ni dossier ni fichier.", self.saisie.trim()));
                false
            }
        }
    }

    /// The paths to give back, or why not.
    fn valider(&self) -> Result<Vec<PathBuf>, Refus> {
        if self.demande.enregistrer {
            let Some(p) = self.chemin_saisi() else { return Err(Refus::SansNom) };
            if !p.parent().is_some_and(|d| d.is_dir()) {
                return Err(Refus::DossierAbsent(p));
            }
            let mut p = p;
            // A new dossier's name is given without extension (added when it is created).
            if let Some(exts) = self.demande.suite.extensions().filter(|_| self.demande.suite != Suite::NouveauDossier)
            {
                let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase()).unwrap_or_default();
                // A name without extension takes the one proposed (« Annexe État — 2024 » → .pdf).
                if ext.is_empty() {
                    let propose = Path::new(&self.demande.nom)
                        .extension()
                        .map(|x| x.to_string_lossy().to_lowercase())
                        .filter(|x| exts.contains(&x.as_str()))
                        .unwrap_or_else(|| exts[0].to_string());
                    // « navette. » (a dot typed, no extension): « navette.xlsx », not « navette..xlsx ».
                    let nom = p.file_name().map(|n| n.to_string_lossy().trim_end_matches('.').to_string());
                    p.set_file_name(format!("{}.{propose}", nom.unwrap_or_default()));
                } else if !exts.contains(&ext.as_str()) {
                    return Err(Refus::Extension(format!(".{ext}"), en_extensions(exts)));
                }
            }
            if let Some(r) = refus_d_ecriture(&p, &self.sources) {
                return Err(r);
            }
            return Ok(vec![p]);
        }
        if !self.selection.is_empty() {
            return Ok(self.selection.clone());
        }
        if let Some(p) = self.chemin_saisi() {
            if p.is_file() {
                return Ok(vec![p]);
            }
            return Err(Refus::PasUnFichier(p));
        }
        Err(Refus::RienChoisi)
    }

    /// Draws the picker; `Some` once the user chose or cancelled.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Issue> {
        let mut issue = None;
        let titre = self.demande.titre.clone();
        // Modal, as every dialog of the window: nothing behind it takes a click meanwhile.
        let ecran = ctx.content_rect();
        egui::Modal::new(egui::Id::unique("selecteur")).show(ctx, |ui| {
            ui.set_width((ecran.width() - 60.0).clamp(300.0, 720.0));
            ui.heading(titre);
            ui.separator();
            if let Some(m) = &self.message {
                ui.colored_label(crate::ui::theme::ALERTE, m);
            }
            ui.horizontal(|ui| {
                if ui.button("↑ Dossier parent").clicked()
                    && let Some(p) = self.dossier.parent()
                {
                    let p = p.to_path_buf();
                    self.aller(p);
                }
                ui.label(format!("Dossier : {}", self.dossier.display()));
            });
            if !self.recents.is_empty() {
                ui.horizontal_wrapped(|ui| {
                    ui.label("Dossiers récents :");
                    for r in self.recents.clone() {
                        let name = r
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_else(|| r.display().to_string());
                        if ui.button(name).on_hover_text(r.display().to_string()).clicked() {
                            self.aller(r);
                        }
                    }
                });
            }
            if let Some((label, exts)) = self.demande.filtre {
                ui.label(format!("{label} : {}", exts.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ")));
            }
            let entries = self.lister(ctx);
            if self.demande.plusieurs
                && let Some(e) = &entries
            {
                let fichiers: Vec<PathBuf> = e.iter().filter(|(_, dir)| !dir).map(|(p, _)| p.clone()).collect();
                if fichiers.len() > 1 && ui.button(format!("Tout sélectionner ({})", fichiers.len())).clicked() {
                    self.selection = fichiers;
                }
            }
            let hauteur = (ecran.height() - 280.0).clamp(120.0, 300.0);
            egui::ScrollArea::vertical().auto_shrink([false, true]).max_height(hauteur).show(ui, |ui| {
                let Some(entries) = entries else {
                    ui.label("Lecture du dossier…");
                    return;
                };
                if entries.is_empty() {
                    ui.label(if self.demande.filtre.is_some() {
                        "(aucun fichier de ce type ici)"
                    } else {
                        "(dossier vide)"
                    });
                }
                for (p, dir) in entries {
                    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                    if dir {
                        if ui.selectable_label(false, format!("▸ {name}/")).clicked() {
                            self.aller(p);
                        }
                    } else {
                        let selected = self.selection.contains(&p);
                        let r = ui.selectable_label(selected, name.clone());
                        if r.clicked() {
                            if self.demande.enregistrer {
                                self.saisie = name;
                                self.remplacer = None;
                            } else if self.demande.plusieurs {
                                if selected {
                                    self.selection.retain(|x| *x != p);
                                } else {
                                    self.selection.push(p.clone());
                                }
                            } else {
                                self.selection = vec![p.clone()];
                            }
                        }
                        if r.double_clicked() && !self.demande.enregistrer {
                            issue = Some(Issue::Choisi(self.demande.suite.clone(), vec![p]));
                        }
                    }
                }
            });
            let mut entree = false;
            ui.horizontal(|ui| {
                let label = if self.demande.enregistrer { "Nom du fichier" } else { "Chemin" };
                let l = ui.label(label);
                let r = ui.add(egui::TextEdit::singleline(&mut self.saisie).desired_width(560.0)).labelled_by(l.id);
                if r.changed() {
                    self.remplacer = None;
                }
                // A folder typed by hand and Entrée: go there; a file: selected; a name to save
                // under: saved, as « Enregistrer » does.
                if (r.lost_focus() || r.has_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    if self.demande.enregistrer && !self.chemin_saisi().is_some_and(|p| p.is_dir()) {
                        entree = true;
                    } else {
                        self.suivre_saisie();
                    }
                }
            });
            ui.horizontal(|ui| {
                let ok = if self.demande.enregistrer { "Enregistrer" } else { "Ouvrir" };
                // A folder typed by hand: the button opens it in the list (not « not a file »).
                let dossier_saisi = self.chemin_saisi().is_some_and(|p| p.is_dir());
                if (ui.button(ok).clicked() || entree) && !(dossier_saisi && self.suivre_saisie()) {
                    match self.valider() {
                        // An existing file is replaced only when the user says so.
                        Ok(paths) if self.demande.enregistrer && paths.first().is_some_and(|p| p.exists()) => {
                            self.message = None;
                            self.remplacer = paths.first().cloned();
                        }
                        Ok(paths) => issue = Some(Issue::Choisi(self.demande.suite.clone(), paths)),
                        Err(e) => self.message = Some(e.to_string()),
                    }
                }
                if ui.button("Annuler").clicked() {
                    issue = Some(Issue::Annule);
                }
            });
            if let Some(p) = self.remplacer.clone() {
                egui::Frame::group(ui.style()).fill(crate::ui::theme::FOND_QUESTION).show(ui, |ui| {
                    let nom = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                    ui.strong(format!("« {nom} » existe déjà. Le remplacer ?"));
                    ui.label("L'ancien fichier sera perdu : un document déjà signé ou envoyé peut en être une copie.");
                    ui.horizontal(|ui| {
                        if ui.button("Remplacer le fichier").clicked() {
                            issue = Some(Issue::Choisi(self.demande.suite.clone(), vec![p.clone()]));
                        }
                        if ui.button("Ne pas remplacer").clicked() {
                            self.remplacer = None;
                        }
                    });
                });
            }
        });
        issue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_and_names_are_checked() {
        let dir = std::env::temp_dir().join(format!("contingents-picker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.xlsx"), b"x").unwrap();
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        let d = Demande::ouvrir("Importer", ("Tableurs", &["xlsx", "csv"]), true, Suite::Importer);
        let mut p = Picker::new(d, Some(dir.clone()), vec![], None);
        // Read on its thread: « Lecture du dossier… » until it answers.
        let ctx = egui::Context::default();
        let listed = (0..500)
            .find_map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(2));
                p.lister(&ctx)
            })
            .expect("the folder is read");
        let names: Vec<String> =
            listed.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().to_string()).collect();
        assert_eq!(names, ["a.xlsx"], "filtered by extension");
        assert!(p.valider().is_err());
        p.saisie = "a.xlsx".into();
        assert_eq!(p.valider().unwrap(), vec![dir.join("a.xlsx")]);
        p.saisie = "absent.xlsx".into();
        assert!(p.valider().unwrap_err().to_string().contains("n'est pas un fichier"));
        let s = Demande::enregistrer("Exporter", "bilan.xlsx".into(), Suite::Bilan);
        let mut p = Picker::new(s, Some(dir.clone()), vec![], None);
        assert_eq!(p.valider().unwrap(), vec![dir.join("bilan.xlsx")]);
        // A name without extension takes the one proposed; a dot typed at its end is not doubled.
        p.saisie = "bilan 2024".into();
        assert_eq!(p.valider().unwrap(), vec![dir.join("bilan 2024.xlsx")]);
        p.saisie = "bilan 2024.".into();
        assert_eq!(p.valider().unwrap(), vec![dir.join("bilan 2024.xlsx")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
