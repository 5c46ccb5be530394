//! The history of the imports, états des lieux and registers: restore a previous version,
//! withdraw an import (undoable).

use super::texte;
use crate::ui::state::{Action, DossierView};
use contingents::format::date_fr;
use contingents::store::Genre;
use eframe::egui;

/// `edit`: the history can be changed (not in workshop mode, not read-only); `renommage`: the
/// bailleur whose new name is being typed.
pub fn historique(
    v: &DossierView,
    retrait_demande: Option<i64>,
    renommage: Option<&str>,
    edit: bool,
    ui: &mut egui::Ui,
) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Historique des imports");
    super::confirm_remove(retrait_demande, &v.historique, ui, &mut actions);
    bailleurs(v, renommage, edit, ui, &mut actions);
    let imports: Vec<_> = v.historique.iter().rev().collect();
    if imports.is_empty() {
        ui.label(
            "Aucun import pour l'instant : importez les états des lieux des bailleurs (menu Importer des fichiers…).",
        );
    } else {
        ui.label("Un nouvel import d'un bailleur remplace le précédent, gardé ici : « Rétablir » le remet en vigueur. Gardées : les logements d'un état des lieux, les mises à disposition d'un registre (hors flux compris). Lignes lues = gardées + mises de côté + doublons (une ligne répétée à l'identique, comptée une fois) ; un conflit (même référence, valeurs différentes) garde la dernière ligne.");
    }
    let mut entetes = vec![
        "Fichier",
        "Genre",
        "N°",
        "Bailleur(s)",
        "Date",
        "Lignes lues",
        "Gardées",
        "Mises de côté",
        "Doublons",
        "Conflits",
        "État",
    ];
    if edit {
        entetes.push("");
    }
    // Both buttons of the last column as wide as the widest (« Rétablir n° 12 »): the column
    // keeps its width when an import is withdrawn or restored.
    let bouton_w = {
        let dernier = imports.iter().map(|i| i.import).max().unwrap_or(0);
        let police = egui::TextStyle::Button.resolve(ui.style());
        let w = |t: String| ui.painter().layout_no_wrap(t, police.clone(), egui::Color32::PLACEHOLDER).size().x;
        w(format!("Rétablir n° {dernier}")).max(w(format!("Retirer n° {dernier}")))
            + 2.0 * ui.spacing().button_padding.x
    };
    let bouton = |t: String| egui::Button::new(t).min_size(egui::vec2(bouton_w, 0.0));
    egui::ScrollArea::vertical().id_salt("ecran-historique").auto_shrink([false, false]).show(ui, |ui| {
        super::tableau_fixe_chiffre(ui, "historique", &entetes, &[5, 6, 7, 8, 9], imports.len(), |ui, l, c| {
            let i = imports[l];
            match c {
                0 => {
                    texte(ui, &i.fichier).on_hover_text(format!("SHA-256 {}", i.sha256));
                }
                1 => {
                    texte(
                        ui,
                        match i.genre {
                            Genre::EtatDesLieux => "état des lieux",
                            Genre::Registre => "registre",
                        },
                    );
                }
                2 => {
                    texte(ui, i.import.to_string());
                }
                3 => {
                    texte(ui, &i.bailleur);
                }
                4 => {
                    texte(ui, date_heure(&i.date));
                }
                5 => super::num(ui, i.lignes as u64),
                6 => super::num(ui, i.logements as u64),
                7 => super::num(ui, i.rejets as u64),
                8 if i.genre == Genre::Registre => {
                    texte(ui, "—");
                }
                9 if i.genre == Genre::Registre => {
                    texte(ui, "—");
                }
                8 => super::num(ui, i.doublons as u64),
                9 => super::num(ui, i.conflits as u64),
                10 => {
                    texte(ui, if i.actif { "en vigueur" } else { "remplacé / retiré" });
                }
                _ => {
                    ui.horizontal(|ui| {
                        if !i.actif && ui.add(bouton(format!("Rétablir n° {}", i.import))).clicked() {
                            actions.push(Action::Restore(i.import));
                        }
                        if i.actif && ui.add(bouton(format!("Retirer n° {}", i.import))).clicked() {
                            actions.push(Action::AskRemove(i.import));
                        }
                    });
                }
            }
        });
    });
    actions
}

/// The dossier's bailleurs, each with « Renommer… » (the field of its new name, refused at
/// once when the name is taken), and the changes of the dossier that are no import.
fn bailleurs(v: &DossierView, renommage: Option<&str>, edit: bool, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    if v.bailleurs_du_dossier.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Bailleurs du dossier ({})", v.bailleurs_du_dossier.len()))
        .id_salt("historique-bailleurs")
        .default_open(renommage.is_some() || !v.journal.is_empty())
        .show(ui, |ui| {
            for b in &v.bailleurs_du_dossier {
                ui.horizontal_wrapped(|ui| {
                    ui.label(b);
                    if !edit {
                        return;
                    }
                    if renommage != Some(b.as_str()) {
                        if ui.button(format!("Renommer « {b} »…")).clicked() {
                            actions.push(Action::RenommerDialog(Some(b.clone())));
                        }
                        return;
                    }
                    // The new name being typed lives in the UI memory, from the current name.
                    let key = ui.make_persistent_id(("renommer", b.as_str()));
                    let mut nom: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_else(|| b.clone());
                    let l = ui.label("Nouveau nom :");
                    let champ = ui.add(egui::TextEdit::singleline(&mut nom).desired_width(260.0)).labelled_by(l.id);
                    let refus = contingents::store::bailleurs::refus_de_renommer(b, &nom, &v.bailleurs_du_dossier);
                    let entree = champ.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (ui.add_enabled(refus.is_none(), egui::Button::new("Renommer")).clicked() || entree)
                        && refus.is_none()
                    {
                        actions.push(Action::RenommerBailleur { ancien: b.clone(), nouveau: nom.clone() });
                    }
                    if ui.button("Annuler").clicked() {
                        actions.push(Action::RenommerDialog(None));
                        ui.data_mut(|d| d.remove::<String>(key));
                    } else {
                        ui.data_mut(|d| d.insert_temp(key, nom.clone()));
                    }
                    if let Some(r) = refus.filter(|_| nom.trim() != b.as_str()) {
                        ui.colored_label(crate::ui::theme::ALERTE, r);
                    }
                });
            }
            if edit {
                ui.label("Renommer change le nom partout dans le dossier (logements, imports, registres, flux enregistrés, coordonnées) ; un import suivant le reconnaît s'il le nomme (accents et majuscules mis à part).");
            }
            if !v.journal.is_empty() {
                ui.strong("Changements du dossier");
                for e in v.journal.iter().rev() {
                    ui.label(format!("{} — {}", date_heure(&e.date), e.detail));
                }
            }
        });
}

/// « 2025-03-14 10:32:05 » → « 14/03/2025 à 10:32 ».
fn date_heure(s: &str) -> String {
    match s.split_once([' ', 'T']) {
        Some((d, h)) => format!("{} à {}", date_fr(d), h.get(..5).unwrap_or(h)),
        None => date_fr(s),
    }
}
