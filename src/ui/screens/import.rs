//! The import wizard: for each état des lieux, its bailleur, sheets, header row and column
//! mapping with a preview, all editable; for each register of mises à disposition, its
//! bailleur chosen among the dossier's, the columns found and a preview; then the import
//! with its progress, then the summary with the rows set aside. The commands stay at the
//! top; everything else scrolls.

use crate::ui::registre::libelle_champ;
use crate::ui::state::{Action, DossierView, RegistreLu, Wizard};
use crate::ui::theme;
use contingents::format::{entier, pluriel};
use contingents::import::header::{Field, header_at_row};
use contingents::suivi::motif_en_clair;
use eframe::egui;

/// A file whose bailleur must be typed: no « Bailleur » column and nothing typed yet.
pub fn sans_bailleur(f: &contingents::import::run::PreparedFile) -> bool {
    !f.colonne_bailleur && f.bailleur.trim().is_empty()
}

pub fn import(v: &DossierView, wizard: Option<&mut Wizard>, busy: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Importer des états des lieux et des registres");
    if busy {
        ui.label("Travail en cours… (voir la barre de progression en bas de la fenêtre)");
        return actions;
    }
    let Some(w) = wizard else {
        if v.historique.is_empty() {
            ui.label("Le dossier est vide : commencez par les états des lieux des réservations de chaque bailleur.");
        }
        ui.label(
            "Choisissez les fichiers des bailleurs (xlsx, xlsm, xls, xlsb, ods, csv), ou déposez-les sur la fenêtre : états des lieux des réservations, puis registres des mises à disposition (reconnus à leurs colonnes).",
        );
        if ui.button("Choisir des fichiers…").clicked() {
            actions.push(Action::ImportDialog);
        }
        return actions;
    };
    // Refused for a loss: the question, with both counts, before anything else.
    if let Some(r) = &w.perte {
        perte(r, ui, &mut actions);
        return actions;
    }
    // Every file refused, or the work stopped: said, nothing written.
    let rien = w.files.is_empty() && w.registres.is_empty() && !w.fini();
    if rien || (w.error.is_some() && !w.fini()) {
        // A sentence of the window: its capital (the core's message is written to follow
        // « contingents : » on the command line).
        let erreur = w.error.as_ref().map(|e| {
            let e = e.to_string();
            let mut c = e.chars();
            c.next().map(|x| x.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        });
        if let Some(e) = &erreur {
            ui.colored_label(theme::ERREUR, e);
        }
        for r in &w.refuses {
            ui.colored_label(theme::ERREUR, format!("Fichier refusé : {r}"));
        }
        if rien || !matches!(w.error, Some(crate::ui::erreur::Erreur::RegistreSansBailleur)) {
            // Said once (« Import annulé : le dossier n'a pas été modifié » says it already).
            if !erreur.as_deref().is_some_and(|e| e.contains("n'a pas été modifié")) {
                ui.label("Le dossier n'a pas été modifié.");
            }
            if ui.button("Fermer").clicked() {
                actions.push(Action::CloseWizard);
            }
            return actions;
        }
    }
    if w.fini() {
        resume(v, w, ui, &mut actions);
        return actions;
    }
    commandes(w, v, ui, &mut actions);
    egui::ScrollArea::both().id_salt("ecran-import").auto_shrink([false, false]).show(ui, |ui| {
        for r in &w.refuses {
            ui.colored_label(theme::ERREUR, format!("Fichier refusé, les autres continuent : {r}"));
        }
        // A register's bailleur: one of the dossier's, or of the états des lieux imported with it.
        let mut bailleurs = v.bailleurs();
        for f in &w.files {
            let b = f.bailleur.trim();
            if !b.is_empty() && !bailleurs.iter().any(|x| contingents::text::key(x) == contingents::text::key(b)) {
                bailleurs.push(b.to_string());
            }
        }
        bailleurs.sort_by(|a, b| contingents::text::ordre_francais(a, b));
        for (ri, r) in w.registres.iter_mut().enumerate() {
            registre(ri, r, &bailleurs, ui);
        }
        let connus = v.bailleurs();
        for (fi, f) in w.files.iter_mut().enumerate() {
            etat_des_lieux(fi, f, &connus, ui);
        }
    });
    actions
}

/// « Remplacer quand même » / « Annuler »: an import that would leave a bailleur with less
/// than half of its dwellings (or register lines) was refused, nothing written.
fn perte(r: &crate::ui::state::Reprise, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let p = &r.pertes;
    let (unite, ou) = (
        if p.registre { "lignes de registre" } else { "logements" },
        if p.fichiers > 1 { "ces fichiers" } else { "ce fichier" },
    );
    egui::Frame::group(ui.style()).fill(egui::Color32::from_rgb(255, 243, 205)).show(ui, |ui| {
        ui.strong(if p.pertes.len() > 1 {
            "Cet import remplacerait la plus grande partie de plusieurs bailleurs"
        } else {
            "Cet import remplacerait la plus grande partie d'un bailleur"
        });
        for x in &p.pertes {
            ui.label(format!(
                "{} : {} {unite} dans le dossier, {} dans {ou}.",
                x.bailleur,
                entier(x.avant),
                entier(x.apres)
            ));
        }
        ui.label("Rien n'a été remplacé. Un fichier tronqué ou un export raté se reconnaît souvent ainsi ; si le remplacement est voulu, la version actuelle reste dans l'historique et peut être rétablie.");
        ui.horizontal_wrapped(|ui| {
            if ui.button("Remplacer quand même").clicked() {
                actions.push(Action::ReprendreImport);
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::CloseWizard);
            }
        });
    });
}

/// The summary of the import: what each file gave, the rows set aside (file, sheet, row,
/// motif, value), and the registers' own. Its button at the top, the rest scrolls.
fn resume(v: &DossierView, w: &Wizard, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Résumé de l'import");
        if ui.button("Voir la consolidation").clicked() {
            actions.push(Action::CloseWizard);
        }
        if w.registres_importes.is_some() && ui.button("Voir les bilans").clicked() {
            actions.push(Action::CloseWizard);
            actions.push(Action::Show(crate::ui::state::Screen::Bilans));
        }
    });
    if let Some(e) = &w.error {
        ui.colored_label(theme::ERREUR, e.to_string());
    }
    egui::ScrollArea::vertical().id_salt("ecran-resume").auto_shrink([false, false]).show(ui, |ui| {
        for r in &w.refuses {
            ui.colored_label(theme::ERREUR, format!("Fichier refusé (non importé) : {r}"));
        }
        if let Some(summaries) = &w.summaries {
            for s in summaries {
                // The same file as an import in force: not read, said so (as the command line
                // says it), not « 0 ligne lue · 0 logement ».
                if let Some(n) = s.identique {
                    ui.group(|ui| {
                        ui.strong(&s.fichier);
                        ui.add(
                            egui::Label::new(format!(
                                "Fichier identique à l'import n° {n}, ignoré : le dossier n'a pas changé."
                            ))
                            .wrap(),
                        );
                    });
                    continue;
                }
                ui.group(|ui| {
                    ui.strong(format!("{} — {}", s.fichier, s.bailleurs.join(", ")));
                    ui.add(
                        egui::Label::new(super::insecable(format!(
                            "{} · {} · {} · {} · {} · {}",
                            pluriel(s.lignes_lues as u64, "ligne lue", "lignes lues"),
                            contingents::format::logements(s.logements as u64),
                            pluriel(s.rejets.values().sum::<usize>() as u64, "mise de côté", "mises de côté"),
                            pluriel(s.conflits as u64, "conflit", "conflits"),
                            pluriel(s.doublons as u64, "doublon", "doublons"),
                            pluriel(s.echus as u64, "droit échu", "droits échus"),
                        )))
                        .wrap(),
                    );
                    for r in &s.remplacements {
                        ui.add(egui::Label::new(super::insecable(r.phrase())).wrap());
                        if let Some(sortis) = r.sortis() {
                            ui.add(egui::Label::new(format!("  {}", super::insecable(sortis))).wrap());
                        }
                    }
                    for m in &s.feuilles_masquees {
                        ui.label(format!("  {}", super::insecable(m.phrase())));
                    }
                    for (m, n) in &s.rejets {
                        ui.label(format!("  {} : {}", m.label(), entier(*n as u64)));
                    }
                });
            }
            // The rows set aside of this import (not those of an identical file's earlier one).
            let ids: Vec<&str> =
                summaries.iter().filter(|s| s.identique.is_none()).map(|s| s.fichier.as_str()).collect();
            let rejets: Vec<_> = v.rejets.iter().filter(|r| ids.contains(&r.fichier.as_str())).take(500).collect();
            if !rejets.is_empty() {
                ui.add_space(6.0);
                ui.strong("Lignes mises de côté");
                // Files without sheets (CSV): no column of « — ».
                let feuilles = rejets.iter().any(|r| r.feuille.is_some());
                let entetes: &[&str] = if feuilles {
                    &["Fichier", "Feuille", "Ligne", "Motif", "Valeur"]
                } else {
                    &["Fichier", "Ligne", "Motif", "Valeur"]
                };
                super::tableau_fixe(ui, "rejets", entetes, rejets.len(), |ui, i, c| {
                    let r = rejets[i];
                    let c = if feuilles || c == 0 { c } else { c + 1 };
                    match c {
                        0 => super::texte(ui, &r.fichier),
                        1 => super::texte(ui, r.feuille.as_deref().unwrap_or("—")),
                        2 => super::texte(ui, r.ligne.to_string()),
                        3 => super::texte(
                            ui,
                            contingents::import::Motif::parse(&r.motif).map(|m| m.label()).unwrap_or(&r.motif),
                        ),
                        _ => super::texte(ui, &r.valeur),
                    };
                });
            }
        }
        for r in w.registres_importes.iter().flatten() {
            let s = &r.resume;
            ui.group(|ui| {
                ui.strong(format!("Registre {} — {}", s.fichier, s.bailleur));
                ui.add(
                    egui::Label::new(super::insecable(format!(
                        "{} · {} · {} · {} · {}",
                        pluriel(s.lignes_lues as u64, "ligne lue", "lignes lues"),
                        pluriel(s.mises_a_disposition as u64, "mise à disposition", "mises à disposition"),
                        pluriel(s.hors_flux as u64, "hors flux", "hors flux"),
                        pluriel(s.rejets.values().sum::<usize>() as u64, "mise de côté", "mises de côté"),
                        pluriel(s.signalements as u64, "ligne signalée", "lignes signalées"),
                    )))
                    .wrap(),
                );
                for (m, n) in &s.rejets {
                    ui.label(format!("  {} : {}", motif_en_clair(m), entier(*n as u64)));
                }
                // What the import says besides its counts (columns not read and the step that
                // counts 0, values not understood, no préavis column…), as the command line does.
                for r in &s.remarques {
                    ui.add(egui::Label::new(format!("  {r}")).wrap());
                }
                if !s.deja_saisies.is_empty() {
                    let n: Vec<String> = s.deja_saisies.iter().map(|(_, id)| format!("n° {id}")).collect();
                    ui.add(egui::Label::new(format!("Déjà saisies dans la fenêtre ({}) : ces saisies sont gardées et comptées une fois, les lignes du registre qui les répètent ne sont pas comptées. Pour prendre une ligne du registre, supprimez la saisie puis réimportez le registre.", n.join(", "))).wrap());
                }
            });
            if !r.rejets.is_empty() {
                ui.strong(format!("Lignes du registre {} mises de côté", s.fichier));
                let id = format!("rejets-registre-{}", s.fichier);
                let feuilles = r.rejets.iter().any(|x| x.feuille.is_some());
                let entetes: &[&str] =
                    if feuilles { &["Ligne", "Feuille", "Motif", "Valeur"] } else { &["Ligne", "Motif", "Valeur"] };
                super::tableau_fixe(ui, &id, entetes, r.rejets.len(), |ui, i, c| {
                    let x = &r.rejets[i];
                    let c = if feuilles || c == 0 { c } else { c + 1 };
                    match c {
                        0 => super::texte(ui, x.ligne.to_string()),
                        1 => super::texte(ui, x.feuille.as_deref().unwrap_or("—")),
                        2 => super::texte(ui, motif_en_clair(&x.motif)),
                        _ => super::texte(ui, &x.valeur),
                    };
                });
            }
        }
    });
}

/// The one bailleur of the dossier whose name is written in the file's name, words whole,
/// whatever the accents, capitals and separators (« habitat_azur_suivi_2024.csv » → « Habitat
/// Azur »); `None` when none or several are (a name within another found gives way to it:
/// « Habitat Azur Var » over « Habitat Azur »).
pub(crate) fn bailleur_nomme_par_le_fichier(fichier: &str, bailleurs: &[String]) -> Option<String> {
    let nom = std::path::Path::new(fichier.rsplit(['/', '\\']).next().unwrap_or(fichier))
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let mots = format!(" {} ", contingents::text::key(&nom));
    let trouves: Vec<&String> = bailleurs
        .iter()
        .filter(|b| !contingents::text::key(b).is_empty() && mots.contains(&format!(" {} ", contingents::text::key(b))))
        .collect();
    let cles: Vec<String> = trouves.iter().map(|b| format!(" {} ", contingents::text::key(b))).collect();
    let mut gardes = trouves
        .iter()
        .zip(&cles)
        .filter(|(_, k)| !cles.iter().any(|autre| autre != *k && autre.contains(k.as_str())))
        .map(|(b, _)| b);
    let b = gardes.next()?;
    gardes.next().is_none().then(|| (*b).clone())
}

/// A register: its bailleur chosen among the dossier's (never a name made up from the
/// file's), the columns found and the first rows.
fn registre(ri: usize, r: &mut RegistreLu, bailleurs: &[String], ui: &mut egui::Ui) {
    ui.group(|ui| {
        ui.strong(format!("Registre des mises à disposition : {}", r.fichier));
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Bailleur du registre");
            let shown = r.bailleur.clone().unwrap_or_else(|| "choisir dans le dossier…".into());
            egui::ComboBox::from_id_salt(("registre-bailleur", ri))
                .selected_text(shown)
                .width(220.0)
                .show_ui(ui, |ui| {
                    for b in bailleurs {
                        ui.selectable_value(&mut r.bailleur, Some(b.clone()), b);
                    }
                })
                .response
                .labelled_by(l.id);
            if r.bailleur.as_ref().is_some_and(|b| !bailleurs.contains(b)) {
                r.bailleur = None;
            }
            if r.bailleur.is_none() {
                // The dossier's bailleur that the file's name names (« habitat_azur_suivi_2024.csv »):
                // proposed, taken with a click (never chosen for the user).
                if let Some(b) = bailleur_nomme_par_le_fichier(&r.fichier, bailleurs)
                    && ui.button(format!("Prendre « {b} » (nom du fichier)")).clicked()
                {
                    r.bailleur = Some(b);
                }
                ui.colored_label(theme::ALERTE, "Choisissez le bailleur parmi ceux du dossier.");
            }
        });
        if !r.bailleurs_du_fichier.is_empty() {
            ui.label(format!("Colonne « Bailleur » du fichier : {}", r.bailleurs_du_fichier.join(", ")));
        }
        if bailleurs.is_empty() {
            ui.colored_label(
                theme::ALERTE,
                "Le dossier n'a encore aucun bailleur : importez d'abord les états des lieux (le registre suit leurs logements).",
            );
        }
        for (si, f) in r.feuilles.iter().enumerate() {
            ui.separator();
            ui.label(match &f.nom {
                Some(n) => format!(
                    "Feuille « {n} » — en-tête à la ligne {} — {}",
                    f.ligne_entete,
                    pluriel(f.lignes as u64, "ligne", "lignes")
                ),
                None => {
                    format!("En-tête à la ligne {} — {}", f.ligne_entete, pluriel(f.lignes as u64, "ligne", "lignes"))
                }
            });
            let colonnes: Vec<String> =
                f.colonnes.iter().map(|(c, i)| format!("{} → {}", column_letter(*i), libelle_champ(*c))).collect();
            ui.add(egui::Label::new(format!("Colonnes reconnues : {}", colonnes.join(", "))).wrap());
            egui::ScrollArea::horizontal().id_salt(("apercu-registre", ri, si)).show(ui, |ui| {
                egui::Grid::new(("grille-registre", ri, si)).striped(true).show(ui, |ui| {
                    for (c, t) in f.entete.iter().enumerate() {
                        let champ = f.colonnes.iter().find(|(_, i)| *i == c).map(|(ch, _)| libelle_champ(*ch));
                        ui.vertical(|ui| {
                            let titre = if t.is_empty() { format!("col. {}", c + 1) } else { t.clone() };
                            ui.add(egui::Label::new(egui::RichText::new(titre).strong()).extend());
                            ui.add(egui::Label::new(egui::RichText::new(champ.unwrap_or("(ignorée)")).small()).extend());
                        });
                    }
                    ui.end_row();
                    for row in &f.apercu {
                        for c in 0..f.entete.len() {
                            ui.label(row.get(c).cloned().unwrap_or_default());
                        }
                        ui.end_row();
                    }
                });
            });
        }
    });
}

/// An état des lieux: bailleur, sheets read, header row, column mapping and preview.
fn etat_des_lieux(fi: usize, f: &mut contingents::import::run::PreparedFile, connus: &[String], ui: &mut egui::Ui) {
    ui.group(|ui| {
        ui.strong(format!("État des lieux : {}", f.fichier));
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Bailleur :");
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
            )
            .labelled_by(l.id);
            // A name read in the file name is only proposed: « Unicode.csv » is no bailleur. The
            // dossier's spelling of a bailleur it names, accents included.
            if f.devine
                && let Some(s) = contingents::import::proposer_bailleur(&f.fichier, connus)
                && f.bailleur.trim().is_empty()
                && ui.button(format!("Reprendre « {s} » (nom du fichier)")).clicked()
            {
                f.bailleur = s;
            }
            if sans_bailleur(f) {
                ui.colored_label(theme::ALERTE, "Le fichier ne nomme pas son bailleur : saisissez-le.");
            }
        });
        let sheets = &f.sheets;
        // Which sheets are read: the detection's choice, which the user can change.
        ui.horizontal_wrapped(|ui| {
            ui.label("Feuilles lues :");
            for s in sheets {
                let name = s.name.clone();
                let mut on = f.plans.iter().any(|p| p.feuille == name);
                let label =
                    format!("{}{}", name.as_deref().unwrap_or("(CSV)"), if s.hidden { " (masquée)" } else { "" });
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
            let commune = plan.commune_feuille.as_ref().map(|c| format!(" — commune : {c}")).unwrap_or_default();
            ui.label(match plan.feuille.as_deref() {
                Some(f) => format!("Feuille « {f} »{commune}"),
                None => format!("Fichier CSV{commune}"),
            });
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
                    // The cells as the file holds them, numbers and dates written the French way.
                    for r in sheet.range.rows().skip(plan.header.data_start()).take(5) {
                        for c in 0..width {
                            ui.label(r.get(c).map(super::apercu_cellule).unwrap_or_default());
                        }
                        ui.end_row();
                    }
                });
            });
        }
    });
}

/// The wizard's commands, above the files (always in view): import, give up, and take the
/// names proposed by the file names at once.
fn commandes(w: &mut Wizard, v: &DossierView, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let manque = w.files.iter().filter(|f| sans_bailleur(f)).count();
        let registres_sans = w.registres.iter().filter(|r| r.bailleur.is_none()).count();
        // A register needs the dossier's dwellings: its bailleur must be in the dossier.
        let sans_logements = !w.registres.is_empty() && w.files.is_empty() && v.bailleurs().is_empty();
        let pret = manque == 0 && registres_sans == 0 && !sans_logements;
        let importer = ui.add_enabled(pret, egui::Button::new("Importer"));
        if !pret {
            importer.on_disabled_hover_text("Donnez d'abord le bailleur de chaque fichier.");
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
                if let Some(b) = contingents::import::proposer_bailleur(&w.files[i].fichier, &v.bailleurs()) {
                    w.files[i].bailleur = b;
                }
            }
        }
        if manque > 0 {
            ui.colored_label(
                theme::ALERTE,
                format!("{} sans bailleur : à saisir avant l'import.", pluriel(manque as u64, "fichier", "fichiers")),
            );
        }
        if registres_sans > 0 {
            ui.colored_label(
                theme::ALERTE,
                format!(
                    "{} sans bailleur : à choisir dans la liste.",
                    pluriel(registres_sans as u64, "registre", "registres")
                ),
            );
        }
    });
    if let Some(e) = &w.error {
        ui.colored_label(theme::ERREUR, e.to_string());
    }
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
