//! The yearly flux of a bailleur on an EPCI: editable parameters (French input), live results
//! from the core engine, each réservataire's rate and perimeter with its alerts beside it, the
//! breakdown by commune, the flux qualifié (indicative) and a comparison of the EPCI's bailleurs.

use crate::ui::saisie::{self, Sorte};
use crate::ui::state::Action;
use crate::ui::state::{DossierView, FluxView};
use crate::ui::theme;
use contingents::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use contingents::flux::{Flux, FluxParametres, calculer, verifier};
use contingents::format::{entier, pourcentage};
use contingents::model::{Financement, TypologieGrille};
use eframe::egui;

fn parametres(ui: &mut egui::Ui, p: &mut FluxParametres, annee: i32, actions: &mut Vec<Action>) {
    ui.strong("Paramètres");
    saisie::nombre(ui, "rotation", "Taux de rotation", &mut p.rotation_pct, Sorte::Pourcentage, "non saisi");
    ui.collapsing("Libérations : autres méthodes", |ui| {
        saisie::annees(ui, "baux", "Baux signés (moyenne des années saisies)", annee, &mut p.baux_signes);
        saisie::annees(ui, "departs", "Départs", annee, &mut p.departs);
        saisie::annees(ui, "entrees", "Entrées", annee, &mut p.entrees);
        ui.horizontal(|ui| {
            ui.label("Taux calculé à partir des");
            let mut m = p.methode_rotation.clone().unwrap_or_else(|| "departs".into());
            ui.selectable_value(&mut m, "departs".to_string(), "départs");
            ui.selectable_value(&mut m, "entrees".to_string(), "entrées");
            ui.selectable_value(&mut m, "moyenne".to_string(), "moyenne des deux");
            p.methode_rotation = Some(m);
        });
    });
    let mut m = p.mutations.map(|x| x as f64);
    if saisie::nombre(ui, "mutations", "Mutations internes (nombre)", &mut m, Sorte::Entier, "—") {
        p.mutations = m.map(|x| x as u64);
        if m.is_some() {
            p.mutations_pct = None;
        }
    }
    if saisie::nombre(ui, "mutations-pct", "ou en % des libérations", &mut p.mutations_pct, Sorte::Pourcentage, "—")
        && p.mutations_pct.is_some()
    {
        p.mutations = None;
    }
    ui.collapsing("Mutations : objectif CUS ou moyenne", |ui| {
        let mut cus = p.mutations_cus.map(|x| x as f64);
        saisie::nombre(ui, "cus", "Objectif CUS (nombre)", &mut cus, Sorte::Entier, "—");
        p.mutations_cus = cus.map(|x| x as u64);
        saisie::annees(ui, "mut3", "Mutations des années passées", annee, &mut p.mutations_3_ans);
    });
    ui.separator();
    saisie::nombre(ui, "etat", "Part de l'État", &mut p.taux_etat_pct, Sorte::Pourcentage, "30 par défaut");
    saisie::nombre(
        ui,
        "fonctionnaires",
        "dont fonctionnaires (demande de l'État)",
        &mut p.taux_fonctionnaires_pct,
        Sorte::Pourcentage,
        "part du stock ≤ 5",
    );
    ui.horizontal(|ui| {
        ui.label("Arrêté préfectoral (part de l'État > 30 %)");
        let mut a = p.arrete_prefectoral.clone().unwrap_or_default();
        if ui.add(egui::TextEdit::singleline(&mut a).hint_text("référence, 1 an au plus")).changed() {
            p.arrete_prefectoral = Some(a).filter(|s| !s.trim().is_empty());
        }
    });
    ui.separator();
    for motif in ["relogements", "ventes", "ORCOD", "LHI", "urgence", "gens du voyage"] {
        let pos = p.soustraits.iter().position(|(m, _, _)| m == motif);
        let mut n = pos.map(|i| p.soustraits[i].1).unwrap_or(0);
        let label = if contingents::flux::accord_prefet_requis(motif) {
            format!("Soustraits : {motif} (accord du préfet)")
        } else {
            format!("Soustraits : {motif}")
        };
        saisie::entier(ui, &format!("soustrait-{motif}"), &label, &mut n);
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
        let pos = p.exclusions_manuelles.iter().position(|e| e.motif == motif && e.commune.is_none());
        let mut n = pos.map(|i| p.exclusions_manuelles[i].logements).unwrap_or(0);
        saisie::entier(ui, &format!("exclusion-{motif}"), &format!("Exclus à la main : {motif}"), &mut n);
        match pos {
            Some(i) => p.exclusions_manuelles[i].logements = n,
            None if n > 0 => p.exclusions_manuelles.push(contingents::flux::ExclusionManuelle {
                motif: motif.to_string(),
                logements: n,
                commune: None,
                reservataire: None,
            }),
            None => {}
        }
    }
    ui.collapsing("Fiche récapitulative (DDETS)", |ui| {
        saisie::entier(ui, "pmr", "Logements PMR", &mut p.logements_pmr);
        saisie::entier(ui, "plai-adaptes", "PLAI adaptés", &mut p.plai_adaptes);
        saisie::entier(ui, "mises-en-service", "Mises en service de l'année", &mut p.mises_en_service);
        for (label, v) in
            [("CUS prise en compte", &mut p.cus), ("Charte de relogement prise en compte", &mut p.charte_relogement)]
        {
            let mut on = v.unwrap_or(false);
            if ui.checkbox(&mut on, label).changed() {
                *v = Some(on);
            }
        }
        ui.horizontal(|ui| {
            ui.label("Contact");
            ui.text_edit_singleline(&mut p.contact);
        });
        ui.label("Commentaires");
        ui.text_edit_multiline(&mut p.commentaires);
    });
    ui.horizontal(|ui| {
        if ui.button("Enregistrer les paramètres").clicked() {
            actions.push(Action::FluxSave);
        }
        if ui.button("Exporter la fiche de l'assiette…").clicked() {
            actions.push(Action::ExportFicheAssiette);
        }
    });
}

fn alertes_generales(ui: &mut egui::Ui, f: &Flux) {
    for a in f.alertes.iter().filter(|a| a.reservataire.is_none()) {
        let color = if a.regle == "parametre_par_defaut" || a.regle == "parametre_a_confirmer" {
            theme::DEFAUT
        } else {
            theme::ALERTE
        };
        ui.colored_label(color, format!("⚠ {}", a.detail));
    }
}

fn resultat(ui: &mut egui::Ui, f: &Flux) {
    ui.strong(format!("Résultat {}", f.annee));
    egui::Grid::new("flux-resultat").striped(true).num_columns(2).show(ui, |ui| {
        let line = |ui: &mut egui::Ui, k: &str, v: String| {
            ui.label(k);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                // Room for the scroll bar on the right.
                ui.add_space(14.0);
                ui.label(v)
            });
            ui.end_row();
        };
        line(ui, "Parc", entier(f.parc));
        for (m, n) in &f.exclusions {
            line(ui, &format!("  exclus : {m}"), entier(*n));
        }
        line(ui, "Assiette", entier(f.assiette));
        line(ui, "Taux de rotation", pourcentage(f.taux_rotation));
        line(ui, "Libérations", entier(f.liberations));
        for (m, n) in &f.soustraits {
            line(ui, &format!("  soustraits : {m}"), entier(*n));
        }
        line(ui, "Flux", entier(f.flux));
    });
    alertes_generales(ui, f);
}

fn parts(ui: &mut egui::Ui, f: &Flux, p: &mut FluxParametres) {
    ui.strong("Parts des réservataires (l'État d'abord)");
    egui::Grid::new("flux-parts").striped(true).show(ui, |ui| {
        for h in ["Réservataire", "Périmètre", "Assiette", "Stock", "Taux", "Logements", "Taux fixé", "Apport"] {
            ui.strong(h);
        }
        ui.end_row();
        for r in &f.reservataires {
            // The name, and under it the legal alerts about this réservataire (defaults are
            // marked in the rate column).
            let mut alertes: Vec<String> =
                f.alertes_de(&r.id).filter(|a| a.regle != "parametre_par_defaut").map(|a| a.detail.clone()).collect();
            alertes.dedup();
            ui.vertical(|ui| {
                ui.set_min_width(16.0 * ui.text_style_height(&egui::TextStyle::Body));
                ui.label(libelle_reservataire(&r.id));
                for a in alertes.iter().take(3) {
                    ui.add(egui::Label::new(egui::RichText::new(format!("⚠ {a}")).color(theme::ALERTE).small()).wrap());
                }
                if alertes.len() > 3 {
                    ui.colored_label(theme::ALERTE, format!("… et {} autres alertes", alertes.len() - 3));
                }
            });
            ui.label(r.perimetre.libelle());
            super::num(ui, r.assiette);
            super::num(ui, r.stock);
            let taux = match (r.origine, r.taux_reduit) {
                (_, Some(t)) => format!("{} → {}", pourcentage(r.taux), pourcentage(t)),
                ("defaut", _) => format!("{} (par défaut)", pourcentage(r.taux)),
                _ => pourcentage(r.taux),
            };
            if r.origine == "defaut" {
                let why = f.alertes_de(&r.id).find(|a| a.regle == "parametre_par_defaut").map(|a| a.detail.clone());
                let l = ui.colored_label(theme::DEFAUT, taux);
                if let Some(w) = why {
                    l.on_hover_text(w);
                }
            } else {
                ui.label(taux);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.strong(entier(r.logements)));
            if matches!(r.id.as_str(), "etat" | "etat-fonctionnaires" | "non-reserve") {
                ui.label("");
            } else {
                let mut fixed = p.taux_fixes.get(&r.id).copied();
                if saisie::nombre(ui, &format!("taux-{}", r.id), "", &mut fixed, Sorte::Pourcentage, "du stock") {
                    match fixed {
                        Some(x) => p.taux_fixes.insert(r.id.clone(), x),
                        None => p.taux_fixes.remove(&r.id),
                    };
                }
            }
            if r.id.starts_with("commune:") || r.id.starts_with("epci:") || r.id.starts_with("departement:") {
                let mut on = p.apports.contains(&r.id);
                if ui
                    .checkbox(&mut on, "")
                    .on_hover_text(
                        "Réservation accordée pour un apport de terrain ou de financement (hors plafond de 20 %)",
                    )
                    .changed()
                {
                    if on {
                        p.apports.insert(r.id.clone());
                    } else {
                        p.apports.remove(&r.id);
                    }
                }
            } else {
                ui.label("");
            }
            ui.end_row();
        }
        ui.strong("Total");
        for _ in 0..4 {
            ui.label("");
        }
        ui.strong(entier(f.reservataires.iter().map(|r| r.logements).sum()));
        ui.end_row();
    });
}

fn ventilation(ui: &mut egui::Ui, f: &Flux) {
    let ids: Vec<&str> =
        f.reservataires.iter().filter(|r| r.logements > 0 || r.id == "etat").map(|r| r.id.as_str()).collect();
    egui::ScrollArea::horizontal().id_salt("ventilation").show(ui, |ui| {
        egui::Grid::new("flux-communes").striped(true).show(ui, |ui| {
            ui.strong("Commune");
            ui.strong("Assiette");
            ui.strong("Flux");
            for id in &ids {
                ui.strong(libelle_reservataire(id));
            }
            ui.end_row();
            for c in &f.communes {
                ui.label(nom_commune(&c.commune));
                ui.label(entier(c.assiette));
                ui.strong(entier(c.flux));
                for id in &ids {
                    let n = c.reservataires.iter().find(|r| r.id == *id).map(|r| r.logements).unwrap_or(0);
                    ui.label(entier(n));
                }
                ui.end_row();
            }
            ui.strong("Total");
            ui.strong(entier(f.assiette));
            ui.strong(entier(f.flux));
            for id in &ids {
                ui.strong(entier(f.logements(id)));
            }
            ui.end_row();
        });
    });
}

fn qualifie(ui: &mut egui::Ui, f: &Flux) {
    ui.label("Indicatif : une attente, pas un engagement. L'État suit la composition de toute l'assiette ; les autres, celle de leur stock.");
    for r in f.reservataires.iter().filter(|r| r.logements > 0) {
        let Some(cells) = f.flux_qualifie.get(&r.id) else { continue };
        ui.strong(format!("{} — {} logements", libelle_reservataire(&r.id), entier(r.logements)));
        egui::Grid::new(("qualifie", &r.id)).striped(true).show(ui, |ui| {
            ui.label("");
            for t in TypologieGrille::ALL {
                ui.strong(t.as_str());
            }
            ui.strong("TOTAL");
            ui.end_row();
            for fin in Financement::ALL {
                for qpv in [false, true] {
                    let row: Vec<u64> = TypologieGrille::ALL
                        .iter()
                        .map(|t| {
                            cells
                                .iter()
                                .filter(|c| c.financement == fin && c.typologie == *t && c.qpv == qpv)
                                .map(|c| c.logements)
                                .sum()
                        })
                        .collect();
                    if row.iter().all(|n| *n == 0) {
                        continue;
                    }
                    ui.label(format!("{fin} {}", if qpv { "QPV" } else { "hors QPV" }));
                    for n in &row {
                        ui.label(entier(*n));
                    }
                    ui.strong(entier(row.iter().sum()));
                    ui.end_row();
                }
            }
        });
    }
}

/// The flux screen edits its own parameters (`fv`); everything else is an action.
pub fn flux(v: &DossierView, fv: Option<&mut FluxView>, busy: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    let actions = &mut actions;
    ui.heading("Flux annuel");
    let bailleurs = v.cube.bailleurs();
    let epcis = v.cube.epcis();
    let Some(fv) = fv else {
        if let (Some(b), Some(e), false) = (bailleurs.first(), epcis.first(), busy) {
            actions.push(Action::FluxSelect { bailleur: b.clone(), epci: e.clone(), annee: v.date_reference.year });
        } else {
            ui.label("Calcul du flux…");
        }
        return std::mem::take(actions);
    };
    ui.horizontal(|ui| {
        let mut b = fv.bailleur.clone();
        ui.label("Bailleur");
        egui::ComboBox::from_id_salt("flux-bailleur").selected_text(&b).show_ui(ui, |ui| {
            for x in &bailleurs {
                ui.selectable_value(&mut b, x.clone(), x);
            }
        });
        let mut e = fv.epci.clone();
        ui.label("EPCI");
        egui::ComboBox::from_id_salt("flux-epci").selected_text(nom_epci(&e)).show_ui(ui, |ui| {
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
    if let Some((b, _, a)) = fv.pending.clone() {
        egui::Frame::group(ui.style()).fill(egui::Color32::from_rgb(255, 243, 205)).show(ui, |ui| {
            ui.label(format!(
                "Les paramètres du flux {} de {} ont changé sans être enregistrés. Avant d'ouvrir {b} ({a}) :",
                fv.annee, fv.bailleur
            ));
            ui.horizontal(|ui| {
                if ui.button("Enregistrer puis continuer").clicked() {
                    actions.push(Action::FluxLeave(true));
                }
                if ui.button("Abandonner les modifications").clicked() {
                    actions.push(Action::FluxLeave(false));
                }
                if ui.button("Rester ici").clicked() {
                    fv.pending = None;
                }
            });
        });
    } else if fv.params != fv.saved {
        ui.colored_label(theme::ALERTE, "Paramètres modifiés, non enregistrés");
    }
    egui::ScrollArea::both().auto_shrink([false, false]).show(ui, |ui| {
        let p = &mut fv.params;
        if let Err(e) = verifier(&fv.groupes, p) {
            ui.colored_label(theme::ERREUR, format!("Paramètre refusé : {e}"));
        }
        let f = calculer(&fv.bailleur, &fv.epci, fv.annee, &fv.groupes, p);
        // Side by side when there is room, one under the other when enlarged for projection.
        if ui.available_width() >= 60.0 * ui.text_style_height(&egui::TextStyle::Body) {
            ui.columns(2, |cols| {
                parametres(&mut cols[0], p, fv.annee, actions);
                resultat(&mut cols[1], &f);
            });
        } else {
            parametres(ui, p, fv.annee, actions);
            ui.separator();
            resultat(ui, &f);
        }
        ui.separator();
        parts(ui, &f, p);
        ui.separator();
        egui::CollapsingHeader::new(format!("Ventilation par commune ({} communes)", f.communes.len()))
            .default_open(true)
            .show(ui, |ui| ventilation(ui, &f));
        ui.collapsing("Flux qualifié — indicatif (financement × typologie × QPV)", |ui| qualifie(ui, &f));
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
    std::mem::take(actions)
}
