//! The yearly flux of a bailleur on an EPCI: editable parameters, live results from the
//! core, the flux qualifié and the alerts, and a comparison of the EPCI's bailleurs.

use crate::ui::app::App;
use crate::ui::state::Action;
use contingents::consolidate::{libelle_reservataire, nom_epci};
use contingents::flux::calculer;
use contingents::format::entier;
use eframe::egui;

fn opt_number(ui: &mut egui::Ui, label: &str, v: &mut Option<f64>, suffix: &str, max: f64) {
    ui.horizontal(|ui| {
        let mut on = v.is_some();
        if ui.checkbox(&mut on, label).changed() {
            *v = if on { Some(v.unwrap_or(0.0)) } else { None };
        }
        if let Some(x) = v {
            ui.add(egui::DragValue::new(x).speed(0.1).range(0.0..=max).suffix(suffix));
        }
    });
}

/// Figures of the last 1–3 years (N-1, N-2, N-3), switched on by a checkbox.
fn years(ui: &mut egui::Ui, label: &str, v: &mut Vec<u64>) {
    ui.horizontal(|ui| {
        let mut on = !v.is_empty();
        if ui.checkbox(&mut on, label).changed() {
            *v = if on { vec![0, 0, 0] } else { vec![] };
        }
        for x in v.iter_mut() {
            ui.add(egui::DragValue::new(x).range(0..=1_000_000));
        }
    });
}

pub fn flux(app: &mut App, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let Some(v) = &app.view else { return };
    ui.heading("Flux annuel");
    let bailleurs = v.cube.bailleurs();
    let epcis = v.cube.epcis();
    let Some(fv) = &mut app.flux else {
        if let (Some(b), Some(e)) = (bailleurs.first(), epcis.first()) {
            actions.push(Action::FluxSelect { bailleur: b.clone(), epci: e.clone(), annee: v.date_reference.year });
        }
        return;
    };
    ui.horizontal(|ui| {
        let mut b = fv.bailleur.clone();
        egui::ComboBox::new("flux-bailleur", "Bailleur").selected_text(&b).show_ui(ui, |ui| {
            for x in &bailleurs {
                ui.selectable_value(&mut b, x.clone(), x);
            }
        });
        let mut e = fv.epci.clone();
        egui::ComboBox::new("flux-epci", "EPCI").selected_text(nom_epci(&e)).show_ui(ui, |ui| {
            for x in &epcis {
                ui.selectable_value(&mut e, x.clone(), nom_epci(x));
            }
        });
        let mut a = fv.annee;
        ui.label("Année");
        ui.add(egui::DragValue::new(&mut a).range(2000..=2100));
        if b != fv.bailleur || e != fv.epci || a != fv.annee {
            actions.push(Action::FluxSelect { bailleur: b, epci: e, annee: a });
        }
    });
    egui::ScrollArea::vertical().show(ui, |ui| {
        let p = &mut fv.params;
        let f = calculer(&fv.bailleur, &fv.epci, fv.annee, &fv.groupes, p);
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.strong("Paramètres");
            opt_number(ui, "Taux de rotation saisi", &mut p.rotation_pct, " %", 100.0);
            ui.collapsing("Libérations : autres méthodes", |ui| {
                years(ui, "Baux signés (3 dernières années)", &mut p.baux_signes);
                years(ui, "Départs (1 à 3 dernières années)", &mut p.departs);
                years(ui, "Entrées (1 à 3 dernières années)", &mut p.entrees);
                ui.horizontal(|ui| {
                    ui.label("Taux calculé à partir des");
                    let mut m = p.methode_rotation.clone().unwrap_or_else(|| "departs".into());
                    ui.selectable_value(&mut m, "departs".to_string(), "départs");
                    ui.selectable_value(&mut m, "entrees".to_string(), "entrées");
                    ui.selectable_value(&mut m, "moyenne".to_string(), "moyenne des deux");
                    p.methode_rotation = Some(m);
                });
            });
            ui.collapsing("Mutations : objectif CUS ou moyenne", |ui| {
                let mut cus = p.mutations_cus.map(|x| x as f64);
                opt_number(ui, "Objectif CUS (nombre)", &mut cus, "", 1_000_000.0);
                p.mutations_cus = cus.map(|x| x as u64);
                years(ui, "Mutations des 3 dernières années", &mut p.mutations_3_ans);
            });
            let mut m = p.mutations.map(|x| x as f64);
            ui.horizontal(|ui| {
                let mut on = m.is_some();
                if ui.checkbox(&mut on, "Mutations internes (nombre)").changed() {
                    m = on.then_some(m.unwrap_or(0.0));
                }
                if let Some(x) = &mut m {
                    ui.add(egui::DragValue::new(x).range(0.0..=100_000.0));
                }
            });
            p.mutations = m.map(|x| x as u64);
            opt_number(ui, "Mutations (% des libérations)", &mut p.mutations_pct, " %", 100.0);
            opt_number(ui, "Part de l'État", &mut p.taux_etat_pct, " %", 100.0);
            for motif in ["relogements", "ventes", "ORCOD", "LHI", "urgence"] {
                let pos = p.soustraits.iter().position(|(m, _, _)| m == motif);
                let mut n = pos.map(|i| p.soustraits[i].1).unwrap_or(0);
                ui.horizontal(|ui| {
                    ui.label(format!("Soustraits : {motif}"));
                    ui.add(egui::DragValue::new(&mut n).range(0..=100_000));
                });
                match pos {
                    Some(i) => p.soustraits[i].1 = n,
                    None if n > 0 => p.soustraits.push((motif.to_string(), n, String::new())),
                    None => {}
                }
                if let Some(line) = p.soustraits.iter_mut().find(|(m, n, _)| m == motif && *n > 0) {
                    ui.horizontal(|ui| {
                        ui.label(format!("Justification ({motif})"));
                        ui.text_edit_singleline(&mut line.2);
                    });
                }
            }
            for motif in ["ventes (L.443-7)", "démolitions"] {
                let pos = p.exclusions_manuelles.iter().position(|(m, _)| m == motif);
                let mut n = pos.map(|i| p.exclusions_manuelles[i].1).unwrap_or(0);
                ui.horizontal(|ui| {
                    ui.label(format!("Exclus à la main : {motif}"));
                    ui.add(egui::DragValue::new(&mut n).range(0..=100_000));
                });
                match pos {
                    Some(i) => p.exclusions_manuelles[i].1 = n,
                    None if n > 0 => p.exclusions_manuelles.push((motif.to_string(), n)),
                    None => {}
                }
            }
            ui.horizontal(|ui| {
                ui.label("Logements PMR");
                ui.add(egui::DragValue::new(&mut p.logements_pmr).range(0..=100_000));
                ui.label("PLAI adaptés");
                ui.add(egui::DragValue::new(&mut p.plai_adaptes).range(0..=100_000));
            });
            ui.horizontal(|ui| {
                ui.label("Contact");
                ui.text_edit_singleline(&mut p.contact);
            });
            ui.label("Commentaires");
            ui.text_edit_multiline(&mut p.commentaires);
            if ui.button("Exporter la fiche de l'assiette…").clicked() {
                actions.push(Action::ExportFicheAssiette);
            }
            if ui.button("Enregistrer les paramètres").clicked() {
                actions.push(Action::FluxSave);
            }
            let ui = &mut cols[1];
            ui.strong("Résultat");
            egui::Grid::new("flux-resultat").striped(true).show(ui, |ui| {
                let line = |ui: &mut egui::Ui, k: &str, v: String| {
                    ui.label(k);
                    ui.label(v);
                    ui.end_row();
                };
                line(ui, "Parc", entier(f.parc));
                for (m, n) in &f.exclusions {
                    line(ui, &format!("  exclus : {m}"), entier(*n));
                }
                line(ui, "Assiette", entier(f.assiette));
                line(ui, "Taux de rotation", format!("{:.2} %", f.taux_rotation * 100.0).replace('.', ","));
                line(ui, "Libérations", entier(f.liberations));
                for (m, n) in &f.soustraits {
                    line(ui, &format!("  soustraits : {m}"), entier(*n));
                }
                line(ui, "Flux", entier(f.flux));
            });
        });
        ui.separator();
        egui::Grid::new("flux-parts").striped(true).show(ui, |ui| {
            for h in ["Réservataire", "Stock", "Taux", "Logements", "Taux fixé à la main"] {
                ui.strong(h);
            }
            ui.end_row();
            for r in &f.reservataires {
                ui.label(libelle_reservataire(&r.id));
                ui.label(entier(r.stock));
                ui.label(format!("{:.1} %", r.taux * 100.0).replace('.', ","));
                ui.label(entier(r.logements));
                if r.id != "non-reserve" {
                    let mut fixed = p.taux_fixes.get(&r.id).copied();
                    opt_number(ui, &format!("fixer ({})", r.id), &mut fixed, " %", 100.0);
                    match fixed {
                        Some(x) => p.taux_fixes.insert(r.id.clone(), x),
                        None => p.taux_fixes.remove(&r.id),
                    };
                }
                ui.end_row();
            }
        });
        for a in &f.alertes {
            ui.colored_label(egui::Color32::from_rgb(160, 60, 0), format!("⚠ {}", a.detail));
        }
        ui.collapsing("Flux qualifié (financement × typologie × QPV)", |ui| {
            for (id, cells) in &f.flux_qualifie {
                if cells.is_empty() {
                    continue;
                }
                let detail: Vec<String> = cells
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}{} : {}",
                            c.financement,
                            c.typologie,
                            if c.qpv { " QPV" } else { "" },
                            c.logements
                        )
                    })
                    .collect();
                ui.label(format!("{} — {}", libelle_reservataire(id), detail.join(" · ")));
            }
        });
        ui.collapsing("Comparaison des bailleurs de l'EPCI", |ui| {
            egui::Grid::new("flux-comparaison").striped(true).show(ui, |ui| {
                for h in ["Bailleur", "Parc", "Assiette", "Libérations", "Flux"] {
                    ui.strong(h);
                }
                ui.end_row();
                for c in &fv.comparaison {
                    ui.label(&c.bailleur);
                    ui.label(entier(c.parc));
                    ui.label(entier(c.assiette));
                    ui.label(entier(c.liberations));
                    ui.label(entier(c.flux));
                    ui.end_row();
                }
            });
        });
    });
}
