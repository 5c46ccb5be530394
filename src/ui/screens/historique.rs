//! The history of the imports, états des lieux and registers: restore a previous version,
//! withdraw an import (undoable).

use super::texte;
use crate::ui::state::{Action, DossierView};
use contingents::format::date_fr;
use contingents::store::Genre;
use eframe::egui;

/// `edit`: the history can be changed (not in workshop mode, not read-only).
pub fn historique(v: &DossierView, retrait_demande: Option<i64>, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Historique des imports");
    super::confirm_remove(retrait_demande, ui, &mut actions);
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
                        if !i.actif && ui.button(format!("Rétablir n° {}", i.import)).clicked() {
                            actions.push(Action::Restore(i.import));
                        }
                        if i.actif && ui.button(format!("Retirer n° {}", i.import)).clicked() {
                            actions.push(Action::AskRemove(i.import));
                        }
                    });
                }
            }
        });
    });
    actions
}

/// « 2025-03-14 10:32:05 » → « 14/03/2025 à 10:32 ».
fn date_heure(s: &str) -> String {
    match s.split_once([' ', 'T']) {
        Some((d, h)) => format!("{} à {}", date_fr(d), h.get(..5).unwrap_or(h)),
        None => date_fr(s),
    }
}
