//! Menu bar, filter panel, status bar and confirmation dialog.

use crate::ui::settings::AppState;
use crate::ui::state::Messages;
use crate::ui::state::{Action, DossierView, Screen};
use crate::ui::tasks::Job;
use contingents::consolidate::Filtre;
use contingents::consolidate::libelle_reservataire;
use contingents::model::IndividuelCollectif;
use eframe::egui;

/// Said in workshop mode where the dossier's menu, the exports and the import were.
pub const MODE_ATELIER: &str = "Lecture seule : import et exports désactivés (F11 pour les retrouver)";
/// Its two words shown in the menu (the sentence under the pointer).
pub const LECTURE_SEULE: &str = "Lecture seule";

/// `edit`: editing controls are shown (not in workshop mode, not read-only).
pub fn menu_bar(state: &AppState, view: Option<&DossierView>, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    let read_only = !edit && !state.workshop;
    // Wrapped: nothing cut at 1280 × 720, even enlarged for projection.
    ui.horizontal_wrapped(|ui| {
        if !state.workshop {
            ui.menu_button("Dossier", |ui| {
                if ui.button("Ouvrir un dossier… (Ctrl+O)").clicked() {
                    actions.push(Action::OpenDossierDialog);
                }
                if ui.button("Nouveau dossier…").clicked() {
                    actions.push(Action::NewDossierDialog);
                }
                if view.is_some() && ui.button("Propriétés du dossier…").clicked() {
                    actions.push(Action::ProprietesDialog);
                }
                if !state.recent.is_empty() {
                    ui.separator();
                    ui.label("Dossiers récents");
                    for p in &state.recent {
                        let nom = p.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                        if ui.button(nom).on_hover_text(p.display().to_string()).clicked() {
                            actions.push(Action::OpenDossier(p.clone()));
                        }
                    }
                }
            });
        }
        if !state.workshop && view.is_some() {
            ui.menu_button("Exporter", |ui| {
                if ui.button("État des lieux consolidé (xlsx)…").clicked() {
                    actions.push(Action::ExportEtatDesLieux);
                }
                if ui.button("Annexe de convention (xlsx ou pdf)…").clicked() {
                    actions.push(Action::AnnexeDialog);
                }
                if ui.button("Fiche navette vierge (xlsx ou pdf)…").clicked() {
                    actions.push(Action::FicheNavetteVierge);
                }
            });
        }
        if state.workshop && view.is_some() {
            // Said where the import and the exports were: nothing hidden without a word — in
            // two words, the whole sentence under the pointer, so that the menu keeps one line
            // at 1280 × 720 enlarged (one more row of the bilan on the screen).
            ui.label(egui::RichText::new(LECTURE_SEULE).italics()).on_hover_text(MODE_ATELIER);
        }
        ui.separator();
        for screen in Screen::ALL {
            if state.workshop && !screen.en_atelier() {
                continue;
            }
            if read_only && screen.ecrit() {
                continue;
            }
            if ui.selectable_label(state.screen == screen, screen.libelle()).clicked() {
                actions.push(Action::Show(screen));
            }
        }
        // In workshop mode the two buttons follow the screens without a bar: one line.
        if !state.workshop {
            ui.separator();
        }
        if edit && view.is_some() && ui.button("Importer des fichiers… (Ctrl+I)").clicked() {
            actions.push(Action::ImportDialog);
        }
        if view.is_some()
            // The screens without the filter panel (app.rs): no button to fold it.
            && !matches!(
                state.screen,
                Screen::Flux | Screen::Bilans | Screen::Historique | Screen::Import | Screen::Libelles
            )
        {
            let label = if state.filtres_masques { "Afficher les filtres (F9)" } else { "Masquer les filtres (F9)" };
            if ui.button(label).clicked() {
                actions.push(Action::ToggleFiltres);
            }
        }
        let label = if state.workshop { "Quitter l'atelier (F11)" } else { "Mode atelier (F11)" };
        if ui.button(label).clicked() {
            actions.push(Action::ToggleWorkshop);
        }
    });
    actions
}

/// What the status bar says of a job: « Lecture de fichier.xlsx » alone (not « lecture —
/// Lecture de … »), « import — écriture des logements », and before its first step
/// « Import en cours… » (not « import — » and nothing).
pub(crate) fn travail_en_cours(label: &str, msg: &str) -> String {
    if msg.trim().is_empty() {
        let mut c = label.chars();
        let debut: String = c.next().map(|x| x.to_uppercase().collect()).unwrap_or_default();
        format!("{debut}{} en cours…", c.as_str())
    } else if contingents::text::key(msg).starts_with(&contingents::text::key(label)) {
        msg.to_string()
    } else {
        format!("{label} — {msg}")
    }
}

/// `attente`: actions waiting for the job to end (said, so that a click is never lost from
/// view). In workshop mode files are named without their folders.
pub fn status_bar(
    m: &Messages,
    job: Option<&Job>,
    attente: usize,
    retires: &[i64],
    atelier: bool,
    ui: &mut egui::Ui,
) -> Vec<Action> {
    let mut actions = vec![];
    ui.horizontal_wrapped(|ui| {
        if let Some(job) = job {
            let (f, msg) = job.fraction();
            ui.add(egui::ProgressBar::new(f).desired_width(260.0).show_percentage());
            ui.label(travail_en_cours(&job.label, &msg));
            // Reading and importing stop at once, leaving the dossier as it was.
            if matches!(job.label.as_str(), "lecture" | "import" | "état des lieux" | "ouverture" | "actualisation")
                && ui.button("Annuler").clicked()
            {
                actions.push(Action::Cancel);
            }
            if attente > 0 {
                ui.label(format!(
                    "puis {}",
                    contingents::format::pluriel(attente as u64, "demande en attente", "demandes en attente")
                ));
            }
        }
        // Long messages wrap: a path at the end of a sentence is never cut.
        if let Some(e) = &m.error {
            ui.add(egui::Label::new(egui::RichText::new(e.to_string()).color(crate::ui::theme::ERREUR)).wrap());
        } else {
            ui.add(egui::Label::new(super::insecable(m.texte(atelier))).wrap());
        }
        if !retires.is_empty() && ui.button("Annuler le retrait (Ctrl+Z)").clicked() {
            actions.push(Action::UndoRemove);
        }
    });
    actions
}

/// The head of every screen: the dossier, its territory and reference date (changed in
/// « Propriétés du dossier »), and the demonstration said as such.
pub fn en_tete(v: &DossierView, atelier: bool, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    // One line (it wraps when narrow): a projected 1280 × 720 keeps its height for the screen.
    ui.horizontal_wrapped(|ui| {
        if v.demonstration {
            egui::Frame::new().fill(egui::Color32::from_rgb(255, 243, 205)).inner_margin(4.0).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.strong(if atelier {
                        "Démonstration : données fictives"
                    } else {
                        "Dossier de démonstration (données fictives)"
                    });
                    if !atelier && ui.button("Créer votre dossier…").clicked() {
                        actions.push(Action::NewDossierDialog);
                    }
                });
            });
        }
        let date = contingents::format::date_fr(&v.date_reference.to_string());
        ui.strong(v.nom());
        ui.label("·");
        if atelier {
            // Enlarged for projection: the same, shorter.
            ui.label(v.territoire.label());
            ui.label("·");
            ui.label(format!("au {date}"));
        } else {
            ui.label(format!("{} ({})", v.territoire.label(), v.territoire.nature()));
            ui.label("·");
            ui.label(format!("date de référence {date}"));
        }
        if edit
            && ui.small_button("Propriétés…").on_hover_text("Changer le territoire ou la date de référence").clicked()
        {
            actions.push(Action::ProprietesDialog);
        }
    });
    actions
}

/// A choice shown in a filter's box: long names cut with « … » so that the box keeps its
/// width and its label stays readable (the list shows them whole).
fn court(s: &str) -> String {
    const MAX: usize = 24;
    if s.chars().count() <= MAX { s.to_string() } else { s.chars().take(MAX - 1).collect::<String>() + "…" }
}

fn combo(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, options: &[(String, String)]) {
    let shown = value
        .as_ref()
        .and_then(|v| options.iter().find(|(id, _)| id == v).map(|(_, n)| n.clone()))
        .unwrap_or_else(|| "Tous".into());
    egui::ComboBox::from_label(label).selected_text(court(&shown)).width(150.0).show_ui(ui, |ui| {
        ui.selectable_value(value, None, "Tous");
        for (id, name) in options {
            ui.selectable_value(value, Some(id.clone()), name);
        }
    });
}

/// The filter panel: edits a copy of the filters, returned as one action when changed.
pub fn filters(state: &AppState, v: &DossierView, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    let mut f: Filtre = state.filters.clone();
    let mut reservataire = state.reservataire.clone();
    ui.heading("Filtres");
    let o = &v.options;
    let epcis = &o.epcis;
    let communes: Vec<(String, String)> = o
        .communes
        .iter()
        .filter(|(_, _, e)| f.epci.as_ref().is_none_or(|x| x == e))
        .map(|(c, n, _)| (c.clone(), n.clone()))
        .collect();
    let bailleurs = &o.bailleurs;
    combo(ui, "EPCI", &mut f.epci, epcis);
    combo(ui, "Commune", &mut f.commune, &communes);
    combo(ui, "Bailleur", &mut f.bailleur, bailleurs);
    let res = &o.reservataires;
    let shown = reservataire.as_deref().map(libelle_reservataire).unwrap_or_else(|| "Tous".into());
    egui::ComboBox::from_label("Réservataire (grille)").selected_text(court(&shown)).width(150.0).show_ui(ui, |ui| {
        ui.selectable_value(&mut reservataire, None, "Tous");
        for (id, name) in res {
            ui.selectable_value(&mut reservataire, Some(id.clone()), name);
        }
    });
    ui.label("QPV");
    ui.horizontal(|ui| {
        ui.selectable_value(&mut f.qpv, None, "Tous");
        ui.selectable_value(&mut f.qpv, Some(true), "QPV");
        ui.selectable_value(&mut f.qpv, Some(false), "Hors QPV");
    });
    ui.label("Individuel / collectif");
    ui.horizontal(|ui| {
        ui.selectable_value(&mut f.individuel_collectif, None, "Tous");
        ui.selectable_value(&mut f.individuel_collectif, Some(IndividuelCollectif::Individuel), "Individuel");
        ui.selectable_value(&mut f.individuel_collectif, Some(IndividuelCollectif::Collectif), "Collectif");
    });
    if ui.button("Effacer les filtres").clicked() {
        f = Filtre::default();
        // The filter set by a click on a réservataire's bar goes too.
        if state.graphique.par_reservataire {
            actions.push(Action::SetGraphique(crate::ui::state::ChoixGraphique {
                par_reservataire: false,
                ..state.graphique
            }));
        }
    }
    if f != state.filters {
        actions.push(Action::SetFilters(f));
    }
    if reservataire != state.reservataire {
        actions.push(Action::SetReservataire(reservataire));
    }
    actions
}

/// The confirmation asked before an import is withdrawn.
pub fn confirm_remove(
    pending: Option<i64>,
    historique: &[contingents::store::Entree],
    ui: &mut egui::Ui,
    actions: &mut Vec<Action>,
) {
    let Some(id) = pending else { return };
    egui::Frame::group(ui.style()).fill(egui::Color32::from_rgb(255, 243, 205)).show(ui, |ui| {
        ui.label(question_de_retrait(id, historique));
        ui.horizontal(|ui| {
            if ui.button("Retirer").clicked() {
                actions.push(Action::ConfirmRemove);
            }
            if ui.button("Garder").clicked() {
                actions.push(Action::AskRemove(-1));
            }
        });
    });
}

/// « Retirer l'import n° 4 (fichier, bailleur, 1 789 logements) ? » : the import named with
/// what it brought, and what its removal does (a register: its mises à disposition).
pub fn question_de_retrait(id: i64, historique: &[contingents::store::Entree]) -> String {
    use contingents::format::pluriel;
    use contingents::store::Genre;
    let annuler = "Vous pourrez annuler tant que l'application reste ouverte (Ctrl+Z).";
    match historique.iter().find(|e| e.import == id) {
        Some(e) if e.genre == Genre::Registre => format!(
            "Retirer l'import n° {id} ({}, registre de {}, {}) ? Ses mises à disposition ne seront plus comptées dans les bilans. {annuler}",
            e.fichier,
            e.bailleur,
            pluriel(e.logements.max(0) as u64, "ligne de suivi", "lignes de suivi")
        ),
        Some(e) => format!(
            "Retirer l'import n° {id} ({}, {}, {}) ? Ses logements ne seront plus comptés. {annuler}",
            e.fichier,
            e.bailleur,
            contingents::format::logements(e.logements.max(0) as u64)
        ),
        None => format!("Retirer l'import n° {id} ? Ce qu'il a apporté ne sera plus compté. {annuler}"),
    }
}
