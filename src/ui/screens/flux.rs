//! The yearly flux of a bailleur on an EPCI: editable parameters (French input), live results
//! from the core engine, each réservataire's rate and perimeter with its alerts beside it, the
//! breakdown by commune, the flux qualifié (indicative) and a comparison of the EPCI's bailleurs.

use crate::ui::saisie::{self, Sorte};
use crate::ui::state::Action;
use crate::ui::state::{DossierView, FluxView};
use crate::ui::theme;
use contingents::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use contingents::flux::{Flux, FluxParametres, MethodeRotation, OrigineTaux, Soustrait, calculer, verifier};
use contingents::format::{entier, pourcentage};
use contingents::model::{Financement, Portee, Regle, Reservataire, TypologieGrille};
use contingents::store::bailleurs::Coordonnees;
use eframe::egui;

/// An empty value, said as such (never a blank a reader may take for zero).
pub const NON_SAISI: &str = "— (non saisi)";

fn parametres(ui: &mut egui::Ui, p: &mut FluxParametres, annee: i32, c: &mut Coordonnees) {
    ui.strong("Paramètres");
    saisie::nombre(ui, "rotation", "Taux de rotation", &mut p.rotation_pct, Sorte::Pourcentage, NON_SAISI);
    ui.collapsing("Libérations : autres méthodes", |ui| {
        saisie::annees(ui, "baux", "Baux signés (moyenne des années saisies)", annee, &mut p.baux_signes);
        saisie::annees(ui, "departs", "Départs", annee, &mut p.departs);
        saisie::annees(ui, "entrees", "Entrées", annee, &mut p.entrees);
        ui.horizontal(|ui| {
            ui.label("Taux calculé à partir des");
            let mut m = p.methode_rotation.unwrap_or(MethodeRotation::Departs);
            ui.selectable_value(&mut m, MethodeRotation::Departs, "départs");
            ui.selectable_value(&mut m, MethodeRotation::Entrees, "entrées");
            ui.selectable_value(&mut m, MethodeRotation::Moyenne, "moyenne des deux");
            p.methode_rotation = Some(m);
        });
    });
    let mut m = p.mutations.map(|x| x as f64);
    if saisie::nombre(ui, "mutations", "Mutations internes (nombre)", &mut m, Sorte::Entier, NON_SAISI) {
        p.mutations = m.map(|x| x as u64);
        if m.is_some() {
            p.mutations_pct = None;
        }
    }
    if saisie::nombre(
        ui,
        "mutations-pct",
        "ou en % des libérations",
        &mut p.mutations_pct,
        Sorte::Pourcentage,
        NON_SAISI,
    ) && p.mutations_pct.is_some()
    {
        p.mutations = None;
    }
    ui.horizontal(|ui| {
        let l = ui.label("Justification des mutations");
        ui.text_edit_singleline(&mut p.justification_mutations).labelled_by(l.id);
    });
    ui.collapsing("Mutations : objectif CUS ou moyenne", |ui| {
        let mut cus = p.mutations_cus.map(|x| x as f64);
        saisie::nombre(ui, "cus", "Objectif CUS (nombre)", &mut cus, Sorte::Entier, NON_SAISI);
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
    ui.strong("Soustraits (une seule liste : flux, fiche, prévision, bilans)");
    for cat in Soustrait::ALL.into_iter().filter(|c| *c != Soustrait::Mutations) {
        // The saved line of this category (the first versions wrote « LHI », « ORCOD »…).
        let pos = p.soustraits.iter().position(|(m, _, _)| Soustrait::parse(m) == Some(cat));
        let mut n = pos.map(|i| p.soustraits[i].1).unwrap_or(0);
        let label = if cat.accord_prefet() && !cat.court().contains("préfet") {
            format!("{} (accord du préfet)", cat.court())
        } else {
            cat.court().to_string()
        };
        saisie::entier(ui, &format!("soustrait-{}", cat.as_str()), &label, &mut n);
        match pos {
            Some(i) => p.soustraits[i].1 = n,
            None if n > 0 => p.soustraits.push((cat.as_str().to_string(), n, String::new())),
            None => {}
        }
        if let Some(line) = p.soustraits.iter_mut().find(|(m, n, _)| Soustrait::parse(m) == Some(cat) && *n > 0) {
            ui.horizontal(|ui| {
                let l = ui.label(format!("Justification ({})", cat.court()));
                ui.text_edit_singleline(&mut line.2).labelled_by(l.id);
            });
            // The prefect's agreement, once obtained: its reference lifts the alert.
            if cat.accord_prefet() {
                let mut a = p.accords_prefet.get(cat.as_str()).cloned().unwrap_or_default();
                ui.horizontal(|ui| {
                    let l = ui.label(format!("Accord du préfet obtenu ({})", cat.court()));
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut a).hint_text("référence, date ; vide : pas encore"))
                        .labelled_by(l.id);
                    if r.changed() {
                        if a.trim().is_empty() {
                            p.accords_prefet.remove(cat.as_str());
                        } else {
                            p.accords_prefet.insert(cat.as_str().to_string(), a.clone());
                        }
                    }
                });
            }
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
        ui.strong("Coordonnées du bailleur (saisies une fois, pour chaque fiche)");
        for (label, v) in [
            ("Adresse", &mut c.adresse),
            ("Correspondant", &mut c.correspondant),
            ("Fonction", &mut c.fonction),
            ("Téléphone", &mut c.telephone),
            ("Courriel", &mut c.courriel),
        ] {
            ui.horizontal(|ui| {
                let l = ui.label(label);
                ui.add(egui::TextEdit::singleline(v).desired_width(320.0)).labelled_by(l.id);
            });
        }
        ui.separator();
        ui.label("Vide : non renseigné sur la fiche (jamais 0 sans déclaration).");
        for (label, v) in
            [("CUS prise en compte", &mut p.cus), ("Charte de relogement prise en compte", &mut p.charte_relogement)]
        {
            ui.horizontal(|ui| {
                ui.label(label);
                ui.selectable_value(v, None, "non renseigné");
                ui.selectable_value(v, Some(true), "OUI");
                ui.selectable_value(v, Some(false), "NON");
            });
        }
        let mut n = p.nouvelles_operations().map(|x| x as f64);
        if saisie::nombre(
            ui,
            "operations-nouvelles",
            "Opérations nouvelles (mises en service, dans l'assiette l'an prochain)",
            &mut n,
            Sorte::Entier,
            "non renseigné",
        ) {
            p.fixer_nouvelles_operations(n.map(|x| x as u64));
        }
        let mut n = p.relogements_contributeur.map(|x| x as f64);
        if saisie::nombre(
            ui,
            "relogements-contributeur",
            "Relogements ANRU accueillis comme contributeur",
            &mut n,
            Sorte::Entier,
            "non renseigné",
        ) {
            p.relogements_contributeur = n.map(|x| x as u64);
        }
        ui.label("Autres logements spécifiques de l'assiette");
        for c in contingents::flux::Specifique::ALL {
            let mut n = p.specifique(c).map(|x| x as f64);
            let label = format!("dont {}", c.label());
            if saisie::nombre(ui, &format!("specifique-{}", c.as_str()), &label, &mut n, Sorte::Entier, "non renseigné")
            {
                p.fixer_specifique(c, n.map(|x| x as u64));
            }
        }
        ui.horizontal(|ui| {
            ui.label("Contact");
            ui.text_edit_singleline(&mut p.contact);
        });
        ui.label("Commentaires : logements spécifiques");
        ui.text_edit_multiline(&mut p.commentaires);
    });
}

/// The parameters in words, for the workshop (read only): what the flux was computed with.
fn parametres_lus(ui: &mut egui::Ui, p: &FluxParametres, f: &Flux) {
    use contingents::format::nombre_fr;
    ui.strong("Paramètres");
    let pct = |x: Option<f64>, defaut: &str| {
        x.map(|x| format!("{}\u{a0}%", nombre_fr(x, 1))).unwrap_or_else(|| defaut.into())
    };
    let mut lignes = vec![
        ("Taux de rotation", pct(p.rotation_pct, NON_SAISI)),
        ("Part de l'État", pct(p.taux_etat_pct, "30\u{a0}% (par défaut)")),
    ];
    // The fonctionnaires' rate the flux was computed with, even when it is the default.
    let fonctionnaires = match (p.taux_fonctionnaires_pct, f.part(&contingents::model::Reservataire::FONCTIONNAIRES)) {
        (Some(x), _) => format!("{}\u{a0}%", nombre_fr(x, 1)),
        (None, Some(r)) => {
            format!("{} (part du stock, au plus 5\u{a0}%)", pourcentage(r.taux_reduit.unwrap_or(r.taux)))
        }
        (None, None) => "part du stock, au plus 5\u{a0}%".into(),
    };
    lignes.push(("dont fonctionnaires", fonctionnaires));
    if let Some(m) = p.mutations {
        lignes.push(("Mutations internes", entier(m)));
    } else if let Some(m) = p.mutations_pct {
        lignes.push(("Mutations internes", format!("{}\u{a0}% des libérations", nombre_fr(m, 1))));
    }
    for (m, n, _) in p.soustraits.iter().filter(|s| s.1 > 0) {
        lignes.push((libelle_soustrait(m), entier(*n)));
    }
    if let Some(a) = &p.arrete_prefectoral {
        lignes.push(("Arrêté préfectoral", a.clone()));
    }
    egui::Grid::new("flux-parametres-lus").striped(true).show(ui, |ui| {
        for (k, v) in lignes {
            ui.label(k);
            ui.label(v);
            ui.end_row();
        }
    });
}

/// What was typed and not saved, field by field, in the words of the form: « Taux de
/// rotation : 9 % (enregistré : 8,5 %) ».
pub fn changements(fv: &FluxView) -> Vec<String> {
    use contingents::format::nombre_fr;
    let (a, b) = (&fv.saved, &fv.params);
    let pct = |x: Option<f64>| x.map(|x| format!("{}\u{a0}%", nombre_fr(x, 1))).unwrap_or_else(|| NON_SAISI.into());
    let nb = |x: Option<u64>| x.map(entier).unwrap_or_else(|| NON_SAISI.into());
    let mut v = Vec::new();
    let mut champ = |nom: &str, avant: String, apres: String| {
        if avant != apres {
            v.push(format!("{nom} : {apres} (enregistré : {avant})"));
        }
    };
    champ("Taux de rotation", pct(a.rotation_pct), pct(b.rotation_pct));
    champ("Mutations internes (nombre)", nb(a.mutations), nb(b.mutations));
    champ("Mutations internes (% des libérations)", pct(a.mutations_pct), pct(b.mutations_pct));
    champ("Part de l'État", pct(a.taux_etat_pct), pct(b.taux_etat_pct));
    champ("dont fonctionnaires", pct(a.taux_fonctionnaires_pct), pct(b.taux_fonctionnaires_pct));
    for cat in Soustrait::ALL {
        let n = |p: &FluxParametres| {
            p.soustraits.iter().filter(|(m, _, _)| Soustrait::parse(m) == Some(cat)).map(|s| s.1).sum::<u64>()
        };
        champ(libelle_soustrait(cat.as_str()), entier(n(a)), entier(n(b)));
    }
    let connus = v.len();
    let autres = FluxParametres {
        rotation_pct: b.rotation_pct,
        mutations: b.mutations,
        mutations_pct: b.mutations_pct,
        taux_etat_pct: b.taux_etat_pct,
        taux_fonctionnaires_pct: b.taux_fonctionnaires_pct,
        soustraits: b.soustraits.clone(),
        ..a.clone()
    };
    if autres != *b || (connus == 0 && a != b) {
        v.push("d'autres paramètres du formulaire".into());
    }
    if fv.coordonnees != fv.coordonnees_enregistrees {
        v.push("les coordonnées du bailleur".into());
    }
    v
}

/// A soustrait's name as the form and the annex write it, from the engine's key
/// (« relogements_hors_anru » → « Relogements hors ANRU »); the key itself when unknown.
pub fn libelle_soustrait(cle: &str) -> &str {
    Soustrait::parse(cle).map(Soustrait::court).unwrap_or(cle)
}

/// The name of a rule of the flux, heading its alerts.
fn regle(r: Regle) -> &'static str {
    match r {
        Regle::EtatMax30 => "Part de l'État au-delà de 30\u{a0}%",
        Regle::FonctionnairesMax5 => "Fonctionnaires au-delà de 5\u{a0}%",
        Regle::EtatHorsQpvMin30 => "État hors QPV sous 30\u{a0}%",
        Regle::CollectiviteMax20 => "Collectivités au-delà de 20\u{a0}%",
        Regle::ReductionProrata => "Parts réduites au prorata",
        Regle::TotalSup100 => "Parts au-delà de 100\u{a0}%",
        Regle::SoustraitsSupLiberations => "Soustraits supérieurs aux libérations",
        Regle::ParametreParDefaut => "Valeurs par défaut",
        Regle::ParametreAConfirmer => "Paramètres à confirmer",
        Regle::AccordPrefetRequis => "Accord du préfet requis",
        Regle::SansMiseADisposition3Mois => "Aucune mise à disposition depuis trois mois",
        Regle::DecompteEtat => "Décompte du flux de l'État",
        Regle::PrioritairesSousObjectif => "Publics prioritaires sous l'objectif",
        Regle::Quartile1HorsQpvSousObjectif => "Premier quartile hors QPV sous l'objectif",
        Regle::QpvQuartiles24SousObjectif => "Quartiles 2 à 4 en QPV sous l'objectif",
    }
}

/// The flux's alerts at the text's size, grouped by rule (one heading, then each case), the
/// legal ones first; the program's defaults last, in grey. The collectivités above 20 % are
/// said once per commune, with their total and each one's rate (« Antibes : 22,9 % > 20 %
/// (Commune d'Antibes 15,5 %, …) »);
/// the whole sentence of each alert on hover.
fn alertes(ui: &mut egui::Ui, f: &Flux) {
    // (rule, lines: (text, hover))
    let mut groupes: Vec<(Regle, Vec<(String, String)>)> = Vec::new();
    let mut ajouter = |regle: Regle, texte: String, detail: String| match groupes.iter_mut().find(|(r, _)| *r == regle)
    {
        Some((_, v)) => match v.iter_mut().find(|(t, _)| *t == texte) {
            Some((_, d)) => {
                if !d.contains(&detail) {
                    d.push('\n');
                    d.push_str(&detail);
                }
            }
            None => v.push((texte, detail)),
        },
        None => groupes.push((regle, vec![(texte, detail)])),
    };
    for a in &f.alertes {
        let regle = a.regle;
        match (regle, &a.commune) {
            (Regle::CollectiviteMax20, Some(c)) => {
                // Each contributor's rate and their total, the figure rule 6 caps (the engine's
                // sum, in the same order).
                let taux = |id: &str| f.part(id).map(|p| p.taux_reduit.unwrap_or(p.taux)).unwrap_or_default();
                let ids: Vec<&str> = f
                    .alertes
                    .iter()
                    .filter(|x| x.regle == a.regle && x.commune.as_deref() == Some(c.as_str()))
                    .filter_map(|x| x.reservataire.as_deref())
                    .collect();
                let total: f64 = ids.iter().map(|id| taux(id)).sum();
                let qui: Vec<String> =
                    ids.iter().map(|id| format!("{} {}", libelle_reservataire(id), pourcentage(taux(id)))).collect();
                ajouter(
                    regle,
                    format!("{} : {} > 20 % ({})", nom_commune(c), pourcentage(total), qui.join(", ")),
                    a.detail.clone(),
                );
            }
            _ => {
                let texte = match &a.reservataire {
                    Some(r) if regle != Regle::ParametreParDefaut && !a.detail.contains(&libelle_reservataire(r)) => {
                        format!("{} : {}", libelle_reservataire(r), a.detail)
                    }
                    _ => a.detail.clone(),
                };
                ajouter(regle, texte.clone(), texte);
            }
        }
    }
    if groupes.is_empty() {
        return;
    }
    groupes.sort_by_key(|(r, _)| r.est_un_defaut());
    ui.strong("Alertes");
    for (r, lignes) in groupes {
        let couleur = if r.est_un_defaut() { theme::DEFAUT } else { theme::ALERTE };
        let titre = egui::RichText::new(format!("⚠ {} ({})", regle(r), lignes.len())).color(couleur).strong();
        egui::CollapsingHeader::new(titre).id_salt(("alerte", r)).default_open(lignes.len() <= 6).show(ui, |ui| {
            for (t, d) in lignes {
                let l = ui.add(egui::Label::new(egui::RichText::new(format!("• {t}")).color(couleur)).wrap());
                if d != t {
                    l.on_hover_text(d);
                }
            }
        });
    }
}

fn resultat(ui: &mut egui::Ui, f: &Flux) {
    ui.strong(format!("Résultat {}", f.annee));
    // A statement: the figures right-aligned in a column of their own width (never at the
    // window's far edge).
    let largeur = 6.0 * ui.text_style_height(&egui::TextStyle::Body);
    egui::Grid::new("flux-resultat").num_columns(2).show(ui, |ui| {
        let line = |ui: &mut egui::Ui, k: &str, v: String| {
            ui.label(k);
            let h = ui.spacing().interact_size.y;
            ui.allocate_ui_with_layout(
                egui::vec2(largeur, h),
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| ui.label(v),
            );
            ui.end_row();
        };
        line(ui, "Parc", entier(f.parc));
        for (m, n) in &f.exclusions {
            line(ui, &format!("  exclus : {m}"), entier(*n));
        }
        line(ui, "Assiette", entier(f.assiette));
        line(ui, "Taux de rotation", pourcentage(f.taux_rotation));
        line(ui, "Libérations", entier(f.liberations));
        // In the order of the single list (the fields on the left, the documents), not the
        // alphabetical order of their keys.
        let rang = |k: &str| Soustrait::parse(k).and_then(|s| Soustrait::ALL.iter().position(|x| *x == s));
        let mut soustraits: Vec<(&String, &u64)> = f.soustraits.iter().collect();
        soustraits.sort_by_key(|(k, _)| rang(k).unwrap_or(usize::MAX));
        for (m, n) in soustraits {
            line(ui, &format!("  soustraits : {}", libelle_soustrait(m)), entier(*n));
        }
        line(ui, "Flux", entier(f.flux));
    });
}

/// Each réservataire's share, the State first; the first column stays in place when the
/// table is wider than the window. `edit`: rates and apports can be set.
fn parts(ui: &mut egui::Ui, f: &Flux, p: &mut FluxParametres, edit: bool) {
    ui.strong("Parts des réservataires (l'État d'abord)");
    // The columns as shown: the rate and the dwellings next to the name (in view when
    // projected), then where and on what they are measured.
    const NOMS: [&str; 8] =
        ["Réservataire", "Périmètre", "Assiette", "Stock", "Taux", "Logements", "Taux fixé", "Apport"];
    const ORDRE: [usize; 8] = [0, 4, 5, 1, 2, 3, 6, 7];
    let colonnes = if edit { 8 } else { 6 };
    let entetes: Vec<&str> = ORDRE[..colonnes].iter().map(|&c| NOMS[c]).collect();
    let n = f.reservataires.len();
    let total: u64 = f.reservataires.iter().map(|r| r.logements).sum();
    super::tableau_fixe_chiffre(ui, "flux-parts", &entetes, &[2, 4, 5], n + 1, |ui, l, c| {
        let c = ORDRE[c];
        let Some(r) = f.reservataires.get(l) else {
            match c {
                0 => {
                    ui.strong("Total");
                }
                5 => {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.strong(entier(total)));
                }
                _ => {
                    ui.label("");
                }
            }
            return;
        };
        match c {
            0 => {
                let n = f.alertes_de(&r.id).filter(|a| a.regle != Regle::ParametreParDefaut).count();
                let nom =
                    if n > 0 { format!("{} ⚠", libelle_reservataire(&r.id)) } else { libelle_reservataire(&r.id) };
                let resp = super::texte(ui, nom);
                if n > 0 {
                    resp.on_hover_text("Voir les alertes sous le résultat");
                }
            }
            1 => {
                super::texte(ui, r.perimetre.libelle());
            }
            2 => super::num(ui, r.assiette),
            3 => super::num(ui, r.stock),
            4 => {
                let taux = match (r.origine, r.taux_reduit) {
                    (_, Some(t)) => format!("{} → {}", pourcentage(r.taux), pourcentage(t)),
                    (OrigineTaux::Defaut, _) => format!("{} (par défaut)", pourcentage(r.taux)),
                    _ => pourcentage(r.taux),
                };
                if r.origine == OrigineTaux::Defaut {
                    let why =
                        f.alertes_de(&r.id).find(|a| a.regle == Regle::ParametreParDefaut).map(|a| a.detail.clone());
                    let l = ui.add(egui::Label::new(egui::RichText::new(taux).color(theme::DEFAUT)).extend());
                    if let Some(w) = why {
                        l.on_hover_text(w);
                    }
                } else {
                    super::texte(ui, taux);
                }
            }
            5 => {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.strong(entier(r.logements)));
            }
            6 => {
                if matches!(Portee::de(&r.id), Portee::Etat | Portee::Fonctionnaires | Portee::NonReserve) {
                    ui.label("");
                } else {
                    let mut fixed = p.taux_fixes.get(r.id.as_str()).copied();
                    if saisie::nombre(ui, &format!("taux-{}", r.id), "", &mut fixed, Sorte::Pourcentage, "du stock") {
                        match fixed {
                            Some(x) => p.taux_fixes.insert(r.id.clone(), x),
                            None => p.taux_fixes.remove(r.id.as_str()),
                        };
                    }
                }
            }
            _ => {
                if matches!(Portee::de(&r.id), Portee::Commune | Portee::Epci | Portee::Departement) {
                    let mut on = p.apports.contains(r.id.as_str());
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
                            p.apports.remove(r.id.as_str());
                        }
                    }
                } else {
                    ui.label("");
                }
            }
        }
    });
}

fn ventilation(ui: &mut egui::Ui, f: &Flux) {
    let ids: Vec<&str> = f
        .reservataires
        .iter()
        .filter(|r| r.logements > 0 || r.id == Reservataire::ETAT)
        .map(|r| r.id.as_str())
        .collect();
    let noms: Vec<String> = ids.iter().map(|id| libelle_reservataire(id)).collect();
    let mut entetes: Vec<&str> = vec!["Commune", "Assiette", "Flux"];
    entetes.extend(noms.iter().map(String::as_str));
    let n = f.communes.len();
    // Figures right-aligned under their headings (read down a column when projected).
    let chiffres: Vec<usize> = (1..entetes.len()).collect();
    let droite = |ui: &mut egui::Ui, s: String, fort: bool| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if fort { ui.strong(s) } else { super::texte(ui, s) }
        });
    };
    super::tableau_fixe_chiffre(ui, "flux-communes", &entetes, &chiffres, n + 1, |ui, l, c| {
        let Some(x) = f.communes.get(l) else {
            match c {
                0 => {
                    ui.strong("Total");
                }
                1 => droite(ui, entier(f.assiette), true),
                2 => droite(ui, entier(f.flux), true),
                _ => droite(ui, entier(f.logements(ids[c - 3])), true),
            };
            return;
        };
        match c {
            0 => {
                super::texte(ui, nom_commune(&x.commune));
            }
            1 => droite(ui, entier(x.assiette), false),
            2 => droite(ui, entier(x.flux), true),
            _ => {
                let id = ids[c - 3];
                let n = x.reservataires.iter().find(|r| r.id == id).map(|r| r.logements).unwrap_or(0);
                droite(ui, entier(n), false);
            }
        };
    });
}

fn qualifie(ui: &mut egui::Ui, f: &Flux) {
    ui.label("Indicatif : une attente, pas un engagement. L'État suit la composition de toute l'assiette ; les autres, celle de leur stock.");
    for r in f.reservataires.iter().filter(|r| r.logements > 0) {
        let Some(cells) = f.flux_qualifie.get(r.id.as_str()) else { continue };
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

/// The flux screen edits its own parameters (`fv`); everything else is an action. `edit`:
/// parameters can be changed and documents exported (else, in workshop mode or on a dossier
/// another window holds, the flux is shown as computed).
pub fn flux(v: &DossierView, fv: Option<&mut FluxView>, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    let actions = &mut actions;
    ui.heading("Flux annuel");
    let Some(fv) = fv else {
        ui.label("Calcul du flux…");
        return std::mem::take(actions);
    };
    ui.horizontal_wrapped(|ui| {
        let mut b = fv.bailleur.clone();
        let l = ui.label("Bailleur");
        egui::ComboBox::from_id_salt("flux-bailleur")
            .selected_text(&b)
            .show_ui(ui, |ui| {
                for (x, _) in &v.options.bailleurs {
                    ui.selectable_value(&mut b, x.clone(), x);
                }
            })
            .response
            .labelled_by(l.id);
        let mut e = fv.epci.clone();
        let l = ui.label("EPCI");
        egui::ComboBox::from_id_salt("flux-epci")
            .selected_text(nom_epci(&e))
            .show_ui(ui, |ui| {
                for (x, nom) in &v.options.epcis {
                    ui.selectable_value(&mut e, x.clone(), nom);
                }
            })
            .response
            .labelled_by(l.id);
        let a = super::champ_annee(ui, "flux", fv.annee).unwrap_or(fv.annee);
        if b != fv.bailleur || e != fv.epci || a != fv.annee {
            actions.push(Action::FluxSelect { bailleur: b, epci: e, annee: a });
        }
    });
    if edit {
        // The screen's commands, above the parameters (always in view).
        ui.horizontal_wrapped(|ui| {
            let modifie = fv.modifie();
            // Taken over from an earlier year: saved as they are, they are confirmed.
            let a_confirmer = fv.a_confirmer();
            let bouton = ui.add_enabled(modifie || a_confirmer, egui::Button::new("Enregistrer les paramètres"));
            let bouton = match fv.params.annee_source.filter(|_| a_confirmer && !modifie) {
                Some(source) => bouton.on_hover_text(format!(
                    "Confirme pour {} les paramètres repris de {source}, tels qu'ils sont",
                    fv.annee
                )),
                None => bouton,
            };
            if bouton.clicked() {
                actions.push(Action::FluxSave);
            }
            // Typed and not saved: the window asks whether to save them first (never silently).
            if ui.button("Fiche de l'assiette…").clicked() {
                actions.push(Action::ExportFicheAssiette);
            }
            if ui
                .button("Annexe d'un réservataire…")
                .on_hover_text("L'annexe de ce bailleur, cet EPCI et cette année")
                .clicked()
            {
                actions.push(Action::AnnexeDialog);
            }
            if ui
                .button("Prévision des soustraits…")
                .on_hover_text("À adresser aux réservataires avant le 28 février (R.441-5) : ce bailleur, cette année")
                .clicked()
            {
                actions.push(Action::ExportPrevision);
            }
            if modifie {
                ui.colored_label(theme::ALERTE, "Paramètres modifiés, non enregistrés");
            }
        });
    }
    if let Some((b, _, a)) = fv.pending.clone() {
        egui::Frame::group(ui.style()).fill(egui::Color32::from_rgb(255, 243, 205)).show(ui, |ui| {
            ui.label(format!(
                "Les paramètres du flux {} {} ont changé sans être enregistrés. Avant d'ouvrir {b} ({a}) :",
                fv.annee,
                contingents::format::de(&fv.bailleur)
            ));
            ui.horizontal_wrapped(|ui| {
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
    }
    egui::ScrollArea::vertical().id_salt("ecran-flux").auto_shrink([false, false]).show(ui, |ui| {
        let p = &mut fv.params;
        if let Err(e) = verifier(&fv.groupes, p) {
            ui.colored_label(theme::ERREUR, format!("Paramètre refusé : {e}"));
        }
        let f = calculer(&fv.bailleur, &fv.epci, fv.annee, &fv.groupes, p);
        if f.parc == 0 {
            ui.colored_label(
                theme::ALERTE,
                format!(
                    "{} n'a aucun logement sur {} : choisissez un autre EPCI ou un autre bailleur.",
                    fv.bailleur,
                    nom_epci(&fv.epci)
                ),
            );
        }
        // Side by side when there is room, one under the other when enlarged for projection.
        let cote_a_cote = ui.available_width() >= 60.0 * ui.text_style_height(&egui::TextStyle::Body);
        if cote_a_cote {
            ui.columns(2, |cols| {
                if edit {
                    parametres(&mut cols[0], p, fv.annee, &mut fv.coordonnees);
                } else {
                    parametres_lus(&mut cols[0], p, &f);
                }
                resultat(&mut cols[1], &f);
                alertes(&mut cols[1], &f);
            });
        } else {
            if edit {
                parametres(ui, p, fv.annee, &mut fv.coordonnees);
            } else {
                parametres_lus(ui, p, &f);
            }
            ui.separator();
            resultat(ui, &f);
            alertes(ui, &f);
        }
        ui.separator();
        parts(ui, &f, p, edit);
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
                    super::num(ui, c.parc);
                    super::num(ui, c.assiette);
                    // No rate of rotation typed for that bailleur: its 0 is no figure (projected,
                    // « Flux 0 » would read as one).
                    if c.liberations == 0 && c.parametres.rotation_pct.is_none() {
                        for _ in 0..2 {
                            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                                ui.weak("non saisi");
                            });
                        }
                    } else {
                        super::num(ui, c.liberations);
                        super::num(ui, c.flux);
                    }
                    ui.end_row();
                }
            });
        });
    });
    std::mem::take(actions)
}
