//! The import wizard: for each file, its bailleur, sheets, header row and column mapping
//! with a preview, all editable; then the import with its progress, then the summary.

use crate::ui::state::Wizard;
use crate::ui::state::{Action, DossierView};
use contingents::import::cell_text;
use contingents::import::header::{Field, header_at_row};
use eframe::egui;

/// A file whose bailleur must be typed: no « Bailleur » column and nothing typed yet.
pub fn sans_bailleur(f: &contingents::import::run::PreparedFile) -> bool {
    !f.colonne_bailleur && f.bailleur.trim().is_empty()
}

pub fn import(v: &DossierView, wizard: Option<&mut Wizard>, busy: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Importer des états des lieux");
    if busy {
        ui.label("Travail en cours… (voir la barre de progression en bas de la fenêtre)");
        return actions;
    }
    let Some(w) = wizard else {
        ui.label(
            "Choisissez les fichiers des bailleurs (xlsx, xlsm, xls, xlsb, ods, csv), ou déposez-les sur la fenêtre.",
        );
        if ui.button("Choisir des fichiers…").clicked() {
            actions.push(Action::ImportDialog);
        }
        return actions;
    };
    // Every file refused, or the work stopped: said, nothing written.
    if w.error.is_some() || (w.files.is_empty() && w.summaries.is_none()) {
        if let Some(e) = &w.error {
            ui.colored_label(crate::ui::theme::ERREUR, e.to_string());
        }
        for r in &w.refuses {
            ui.colored_label(crate::ui::theme::ERREUR, format!("Fichier refusé : {r}"));
        }
        ui.label("Le dossier n'a pas été modifié.");
        if ui.button("Fermer").clicked() {
            actions.push(Action::CloseWizard);
        }
        return actions;
    }
    for r in &w.refuses {
        ui.colored_label(crate::ui::theme::ERREUR, format!("Fichier refusé, les autres continuent : {r}"));
    }
    if let Some(summaries) = &w.summaries {
        ui.heading("Résumé de l'import");
        for s in summaries {
            ui.group(|ui| {
                ui.strong(format!("{} — {}", s.fichier, s.bailleurs.join(", ")));
                ui.label(format!(
                    "{} lignes lues · {} logements · {} mis de côté · {} conflits · {} doublons · {} droits échus",
                    s.lignes_lues,
                    s.logements,
                    s.rejets.values().sum::<usize>(),
                    s.conflits,
                    s.doublons,
                    s.echus
                ));
                for (m, n) in &s.rejets {
                    ui.label(format!("  {} : {n}", m.label()));
                }
            });
        }
        {
            let ids: Vec<String> = summaries.iter().map(|s| s.fichier.clone()).collect();
            let rejets: Vec<_> = v.rejets.iter().filter(|r| ids.contains(&r.fichier)).take(500).collect();
            if !rejets.is_empty() {
                ui.label("Lignes mises de côté (fichier, feuille, ligne) :");
                egui::ScrollArea::vertical().max_height(260.0).show(ui, |ui| {
                    egui::Grid::new("rejets").striped(true).show(ui, |ui| {
                        for h in ["Fichier", "Feuille", "Ligne", "Motif", "Valeur"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for r in rejets {
                            ui.label(&r.fichier);
                            ui.label(r.feuille.as_deref().unwrap_or("—"));
                            ui.label(r.ligne.to_string());
                            ui.label(
                                contingents::import::Motif::parse(&r.motif).map(|m| m.label()).unwrap_or(&r.motif),
                            );
                            ui.label(&r.valeur);
                            ui.end_row();
                        }
                    });
                });
            }
        }
        if ui.button("Voir la consolidation").clicked() {
            actions.push(Action::CloseWizard);
        }
        return actions;
    }
    commandes(w, ui, &mut actions);
    egui::ScrollArea::both().show(ui, |ui| {
        for (fi, f) in w.files.iter_mut().enumerate() {
            ui.group(|ui| {
                ui.strong(&f.fichier);
                ui.horizontal_wrapped(|ui| {
                    ui.label("Bailleur :");
                    let hint = if f.colonne_bailleur {
                        "lu sur chaque ligne (colonne « Bailleur »)"
                    } else {
                        "saisissez le nom du bailleur"
                    };
                    ui.add(
                        egui::TextEdit::singleline(&mut f.bailleur)
                            .id_salt(("bailleur", fi))
                            .hint_text(hint)
                            .desired_width(260.0),
                    );
                    // A name read in the file name is only proposed: « Unicode.csv » is no bailleur.
                    if f.devine
                        && let Some(s) = contingents::import::bailleur_from_file_name(&f.fichier)
                        && f.bailleur.trim().is_empty()
                        && ui.button(format!("Reprendre « {s} » (nom du fichier)")).clicked()
                    {
                        f.bailleur = s;
                    }
                    if sans_bailleur(f) {
                        ui.colored_label(
                            crate::ui::theme::ALERTE,
                            "Le fichier ne nomme pas son bailleur : saisissez-le.",
                        );
                    }
                });
                let sheets = &f.sheets;
                // Which sheets are read: the detection's choice, which the user can change.
                ui.horizontal_wrapped(|ui| {
                    ui.label("Feuilles lues :");
                    for s in sheets {
                        let name = s.name.clone();
                        let mut on = f.plans.iter().any(|p| p.feuille == name);
                        let label = format!(
                            "{}{}",
                            name.as_deref().unwrap_or("(CSV)"),
                            if s.hidden { " (masquée)" } else { "" }
                        );
                        if ui.checkbox(&mut on, label).changed() {
                            if on {
                                let header = contingents::import::header::detect_header(&s.range)
                                    .unwrap_or_else(|| header_at_row(&s.range, 0));
                                let commune_feuille = (!header.has_commune()).then(|| name.clone()).flatten();
                                f.plans.push(contingents::import::SheetPlan {
                                    feuille: name,
                                    header,
                                    commune_feuille,
                                    reservataire_feuille: None,
                                });
                            } else {
                                f.plans.retain(|p| p.feuille != name);
                            }
                        }
                    }
                });
                for (pi, plan) in f.plans.iter_mut().enumerate() {
                    let Some(sheet) = sheets.iter().find(|s| s.name == plan.feuille) else { continue };
                    ui.separator();
                    ui.label(format!(
                        "Feuille « {} »{}",
                        plan.feuille.as_deref().unwrap_or("(CSV)"),
                        plan.commune_feuille.as_ref().map(|c| format!(" — commune : {c}")).unwrap_or_default()
                    ));
                    let mut row = plan.header.row + plan.header.rows;
                    ui.horizontal(|ui| {
                        ui.label("Ligne d'en-tête :");
                        let before = row;
                        ui.add(egui::DragValue::new(&mut row).range(1..=sheet.range.height().max(1)));
                        if row != before {
                            plan.header = header_at_row(&sheet.range, row.saturating_sub(1));
                        }
                    });
                    egui::ScrollArea::horizontal().id_salt(("apercu", fi, pi)).show(ui, |ui| {
                        egui::Grid::new(("mapping", fi, pi)).striped(true).show(ui, |ui| {
                            let width = sheet.range.width();
                            for c in 0..width {
                                let label = plan.header.labels.get(c).cloned().unwrap_or_default();
                                ui.strong(if label.is_empty() { format!("col. {}", c + 1) } else { label });
                            }
                            ui.end_row();
                            for c in 0..width {
                                let current = plan.header.column_field(c);
                                let mut choice = current;
                                egui::ComboBox::new(("champ", fi, pi, c), column_letter(c))
                                    .selected_text(choice.map(|f| f.label()).unwrap_or("(ignorée)"))
                                    .show_ui(ui, |ui| {
                                        ui.selectable_value(&mut choice, None, "(ignorée)");
                                        for field in Field::ALL {
                                            ui.selectable_value(&mut choice, Some(field), field.label());
                                        }
                                    });
                                if choice != current {
                                    plan.header.set_column(c, choice);
                                }
                            }
                            ui.end_row();
                            for r in sheet.range.rows().skip(plan.header.data_start()).take(5) {
                                for c in 0..width {
                                    ui.label(r.get(c).map(|d| cell_text(d).into_owned()).unwrap_or_default());
                                }
                                ui.end_row();
                            }
                        });
                    });
                }
            });
        }
    });
    actions
}

/// The wizard's commands, above the files (always in view): import, give up, and take the
/// names proposed by the file names at once.
fn commandes(w: &mut Wizard, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let manque = w.files.iter().filter(|f| sans_bailleur(f)).count();
        let importer = ui.add_enabled(manque == 0, egui::Button::new("Importer"));
        if manque > 0 {
            importer.on_disabled_hover_text("Saisissez d'abord le bailleur de chaque fichier.");
        } else if importer.clicked() {
            actions.push(Action::StartImport);
        }
        if ui.button("Abandonner").clicked() {
            actions.push(Action::CloseWizard);
        }
        let proposes: Vec<usize> =
            w.files.iter().enumerate().filter(|(_, f)| f.devine && sans_bailleur(f)).map(|(i, _)| i).collect();
        if proposes.len() > 1 && ui.button("Reprendre les noms proposés par les noms de fichiers").clicked() {
            for i in proposes {
                if let Some(b) = contingents::import::bailleur_from_file_name(&w.files[i].fichier) {
                    w.files[i].bailleur = b;
                }
            }
        }
        if manque > 0 {
            ui.colored_label(
                crate::ui::theme::ALERTE,
                format!(
                    "{} sans bailleur : à saisir avant l'import.",
                    contingents::format::pluriel(manque as u64, "fichier", "fichiers")
                ),
            );
        }
    });
    ui.separator();
}

/// `A`, `B`, ... `Z`, `AA`: the column letters of a spreadsheet.
fn column_letter(mut c: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s
}
