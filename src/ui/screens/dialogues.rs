//! The dialogs drawn over the screens: creating a dossier (territory and reference date),
//! the dossier's properties (changing them, their effect said first), the annex of a
//! convention (for whom, which bailleur, EPCI and year), and closing during a job. Each
//! edits only its own fields and returns actions.

use crate::ui::state::{Action, AnnexeDialogue, ApresFlux, Creation, DemandeAnnexe, DossierView, FluxView, Proprietes};
use crate::ui::theme;
use contingents::consolidate::{libelle_reservataire, nom_epci};
use contingents::format::{date_fr, parse_date};
use contingents::model::{Date, Reservataire};
use contingents::reference::{Territoire, reference};
use eframe::egui;

/// A dialog's frame: centred, of a fixed size that never exceeds the window (its content
/// scrolls inside; a fixed size keeps the centred frame in place while the content grows).
fn dialogue<R>(ctx: &egui::Context, id: &str, titre: &str, contenu: impl FnOnce(&mut egui::Ui) -> R) -> R {
    dialogue_cadre(ctx, id, titre, true, contenu)
}

/// A dialog as tall as what it says (the annex's choices, a question): no empty frame under
/// its buttons.
fn dialogue_court<R>(ctx: &egui::Context, id: &str, titre: &str, contenu: impl FnOnce(&mut egui::Ui) -> R) -> R {
    dialogue_cadre(ctx, id, titre, false, contenu)
}

/// `fixe`: the frame keeps its height while its content grows (the territories found as the
/// search is typed): it does not jump at each key.
fn dialogue_cadre<R>(
    ctx: &egui::Context,
    id: &str,
    titre: &str,
    fixe: bool,
    contenu: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let ecran = ctx.content_rect();
    let largeur = (ecran.width() - 60.0).clamp(200.0, 720.0);
    let hauteur = (ecran.height() - 120.0).clamp(120.0, 440.0);
    let reponse = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_width(largeur);
        ui.heading(titre);
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink([false, !fixe]).max_height(hauteur).show(ui, contenu).inner
    });
    reponse.inner
}

/// The territory's search: a field, the territories found (EPCI or département, by name or
/// code, or through one of their communes), and the one chosen with its communes.
fn territoire(ui: &mut egui::Ui, id: &str, recherche: &mut String, choisi: &mut Option<Territoire>) {
    let entree = ui
        .horizontal_wrapped(|ui| {
            let l = ui.label("Rechercher le territoire");
            let r = ui
                .add(
                    egui::TextEdit::singleline(recherche)
                        .id_salt((id, "recherche"))
                        .hint_text("EPCI, département ou commune : nom ou code")
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
            r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
        })
        .inner;
    let trouves = reference().chercher_territoires(recherche, 12);
    // Entrée with one territory found: it is chosen.
    if let [t] = trouves.as_slice()
        && entree
    {
        *choisi = Some(t.clone());
        recherche.clear();
        return territoire_choisi(ui, id, choisi);
    }
    if !recherche.trim().is_empty() && trouves.is_empty() {
        ui.colored_label(theme::ALERTE, format!("Aucun EPCI ni département ne répond à « {} ».", recherche.trim()));
    }
    for t in trouves {
        let n = t.communes().len();
        let texte = format!(
            "{} — {} ({})",
            t.label(),
            t.nature(),
            contingents::format::pluriel(n as u64, "commune", "communes")
        );
        if ui.selectable_label(choisi.as_ref() == Some(&t), texte).clicked() {
            *choisi = Some(t);
            recherche.clear();
        }
    }
    territoire_choisi(ui, id, choisi);
}

/// The territory chosen, with its communes.
fn territoire_choisi(ui: &mut egui::Ui, id: &str, choisi: &Option<Territoire>) {
    if let Some(t) = choisi {
        let communes = t.communes();
        ui.add_space(4.0);
        ui.strong(format!(
            "Territoire : {} ({}), {}",
            t.label(),
            t.nature(),
            contingents::format::pluriel(communes.len() as u64, "commune", "communes")
        ));
        let noms: Vec<&str> = communes.iter().map(|c| c.nom).collect();
        egui::ScrollArea::vertical().id_salt((id, "communes")).max_height(90.0).show(ui, |ui| {
            ui.add(egui::Label::new(noms.join(", ")).wrap());
        });
    }
}

/// The reference date typed the French way; `Err` says why it is refused.
fn date_saisie(ui: &mut egui::Ui, id: &str, texte: &mut String) -> Result<Date, String> {
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Date de référence");
        ui.add(egui::TextEdit::singleline(texte).id_salt((id, "date")).hint_text("JJ/MM/AAAA").desired_width(110.0))
            .labelled_by(l.id);
    });
    ui.label("Les conventions échues avant cette date comptent en non réservé.");
    let t = texte.trim();
    match parse_date(t) {
        Some(d) if (1990..=2100).contains(&d.year) => Ok(d),
        Some(_) => Err(format!("« {t} » : une date entre 1990 et 2100, par exemple 01/01/2024")),
        None if t.is_empty() => Err("Indiquez la date de référence (JJ/MM/AAAA).".into()),
        None => Err(format!("« {t} » n'est pas une date : écrivez par exemple 01/01/2024")),
    }
}

/// « Créer un dossier » once its file is chosen: territory and reference date.
pub fn creation(c: &mut Creation, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    dialogue(ctx, "creation", "Créer un dossier", |ui| {
        let nom = c.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        ui.label(format!("Fichier : {nom}"));
        if let Some(dir) = c.path.parent() {
            ui.label(format!("Dans : {}", dir.display()));
        }
        if !c.en_attente.is_empty() {
            ui.label(format!("À importer une fois le dossier créé : {}", c.en_attente.join(", ")));
        }
        ui.add_space(6.0);
        ui.strong("Territoire du dossier");
        ui.label("Seules ses communes sont acceptées à l'import ; un nom partagé par plusieurs communes se lit dans ce territoire.");
        territoire(ui, "creation", &mut c.recherche, &mut c.territoire);
        ui.add_space(6.0);
        let date = date_saisie(ui, "creation", &mut c.date);
        ui.add(egui::Label::new(egui::RichText::new(&c.pourquoi).weak()).wrap());
        // Always one line (empty when the date reads): nothing moves under the mouse.
        match &date {
            Err(e) if !c.date.trim().is_empty() => {
                ui.colored_label(theme::ERREUR, e);
            }
            _ => {
                ui.label("");
            }
        }
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            let pret = c.territoire.is_some() && date.is_ok();
            let b = ui.add_enabled(pret, egui::Button::new("Créer le dossier"));
            if !pret {
                b.on_disabled_hover_text("Choisissez le territoire et la date de référence.");
            } else if b.clicked()
                && let (Some(t), Ok(d)) = (&c.territoire, &date)
            {
                actions.push(Action::CreerDossier { path: c.path.clone(), territoire: t.clone(), date: *d });
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::FermerCreation);
            }
            if c.territoire.is_none() {
                ui.colored_label(theme::ALERTE, "Choisissez d'abord le territoire.");
            }
        });
    });
    actions
}

/// « Propriétés du dossier » : its territory and reference date; a change says what it does
/// (computed by the core) before it is applied.
pub fn proprietes(p: &mut Proprietes, v: &DossierView, edit: bool, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    dialogue(ctx, "proprietes", "Propriétés du dossier", |ui| {
        ui.label(format!("Dossier : {}", v.nom()));
        ui.label(format!(
            "Territoire actuel : {} ({}) — date de référence actuelle : {}",
            v.territoire.label(),
            v.territoire.nature(),
            date_fr(&v.date_reference.to_string())
        ));
        if !edit {
            ui.label("Lecture seule : ces propriétés se changent hors du mode atelier, dans la fenêtre qui tient le dossier.");
            if ui.button("Fermer").clicked() {
                actions.push(Action::FermerProprietes);
            }
            return;
        }
        ui.add_space(6.0);
        ui.strong("Territoire");
        let mut choisi = Some(p.territoire.clone());
        territoire(ui, "proprietes", &mut p.recherche, &mut choisi);
        if let Some(t) = choisi {
            p.territoire = t;
        }
        ui.add_space(6.0);
        let date = date_saisie(ui, "proprietes", &mut p.date);
        if let Err(e) = &date {
            ui.colored_label(theme::ERREUR, e);
        }
        ui.add_space(6.0);
        let Ok(date) = date else {
            if ui.button("Annuler").clicked() {
                actions.push(Action::FermerProprietes);
            }
            return;
        };
        let change = p.territoire != v.territoire || date != v.date_reference;
        if !change {
            ui.label("Aucun changement.");
        } else {
            match &p.effet {
                Some((t, d, r)) if *t == p.territoire && *d == date => match r {
                    Ok(e) => {
                        ui.strong("Effet du changement :");
                        for l in e.phrases() {
                            ui.label(format!("• {l}"));
                        }
                    }
                    Err(e) => {
                        ui.colored_label(theme::ERREUR, e.to_string());
                    }
                },
                _ => {
                    ui.label("Calcul de l'effet du changement…");
                    if p.demande.as_ref() != Some(&(p.territoire.clone(), date)) {
                        p.demande = Some((p.territoire.clone(), date));
                        actions.push(Action::EffetProprietes { territoire: p.territoire.clone(), date });
                    }
                }
            }
        }
        ui.horizontal_wrapped(|ui| {
            let pret =
                change && p.effet.as_ref().is_some_and(|(t, d, r)| *t == p.territoire && *d == date && r.is_ok());
            if ui.add_enabled(pret, egui::Button::new("Appliquer le changement")).clicked() {
                actions.push(Action::AppliquerProprietes { territoire: p.territoire.clone(), date });
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::FermerProprietes);
            }
        });
    });
    actions
}

/// The year of a document or of the flux, typed: refused in red outside 2000–2100.
pub fn annee_saisie(ui: &mut egui::Ui, id: &str, texte: &mut String) -> Option<i32> {
    let mut ok = None;
    ui.horizontal(|ui| {
        let l = ui.label("Année");
        ui.add(egui::TextEdit::singleline(texte).id_salt(id).desired_width(60.0)).labelled_by(l.id);
        match texte.trim().parse::<i32>() {
            Ok(a) if (2000..=2100).contains(&a) => ok = Some(a),
            _ => {
                ui.colored_label(theme::ERREUR, format!("« {} » : une année de 2000 à 2100", texte.trim()));
            }
        }
    });
    ok
}

/// The year of a screen (flux, bilans), typed: a year from 2000 to 2100 is taken (`Some`
/// when it changed), anything else refused in red and the year shown stays.
pub fn champ_annee(ui: &mut egui::Ui, id: &str, valeur: i32) -> Option<i32> {
    let key = ui.make_persistent_id(("annee", id));
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_else(|| valeur.to_string());
    let mut nouvelle = None;
    let l = ui.label("Année");
    let r = ui.add(egui::TextEdit::singleline(&mut buf).id(key.with("champ")).desired_width(56.0)).labelled_by(l.id);
    let t = buf.trim();
    match t.parse::<i32>() {
        Ok(a) if (2000..=2100).contains(&a) => {
            if a != valeur {
                nouvelle = Some(a);
            }
        }
        _ if r.has_focus() && t.len() < 4 => {}
        _ => {
            ui.colored_label(theme::ERREUR, format!("« {t} » : une année de 2000 à 2100 ({valeur} reste choisie)"));
        }
    }
    // The text lives in memory while typed or refused; else it follows the year shown.
    let refuse = !matches!(t.parse::<i32>(), Ok(a) if (2000..=2100).contains(&a));
    if r.has_focus() || refuse {
        ui.data_mut(|d| d.insert_temp(key, buf));
    } else {
        ui.data_mut(|d| d.remove::<String>(key));
    }
    nouvelle
}

/// The annex of a convention: réservataire, bailleur, EPCI and year (filled from the flux
/// screen), then the format.
pub fn annexe(a: &mut AnnexeDialogue, v: &DossierView, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    dialogue_court(ctx, "annexe", "Annexe de convention", |ui| {
        ui.label("L'annexe reprend le flux de l'année enregistré pour ce bailleur sur cet EPCI (écran Flux annuel).");
        let reservataires: Vec<&(Reservataire, String)> =
            v.options.reservataires.iter().filter(|(id, _)| *id != Reservataire::NON_RESERVE).collect();
        let shown = a.reservataire.as_deref().map(libelle_reservataire).unwrap_or_else(|| "choisir…".into());
        egui::ComboBox::from_label("Réservataire").selected_text(shown).width(260.0).show_ui(ui, |ui| {
            for (id, nom) in reservataires {
                ui.selectable_value(&mut a.reservataire, Some(id.clone()), nom);
            }
        });
        let shown = a.bailleur.clone().unwrap_or_else(|| "choisir…".into());
        egui::ComboBox::from_label("Bailleur").selected_text(shown).width(260.0).show_ui(ui, |ui| {
            for (b, _) in &v.options.bailleurs {
                ui.selectable_value(&mut a.bailleur, Some(b.clone()), b);
            }
        });
        let shown = a.epci.as_deref().map(nom_epci).unwrap_or_else(|| "choisir…".into());
        egui::ComboBox::from_label("EPCI").selected_text(shown).width(260.0).show_ui(ui, |ui| {
            for (e, nom) in &v.options.epcis {
                ui.selectable_value(&mut a.epci, Some(e.clone()), nom);
            }
        });
        let annee = annee_saisie(ui, "annexe-annee", &mut a.annee);
        let pret = match (&a.reservataire, &a.bailleur, &a.epci, annee) {
            (Some(r), Some(b), Some(e), Some(y)) => Some((r.clone(), b.clone(), e.clone(), y)),
            _ => None,
        };
        ui.horizontal_wrapped(|ui| {
            for (label, format) in [("Exporter en PDF…", "pdf"), ("Exporter en xlsx…", "xlsx")] {
                let b = ui.add_enabled(pret.is_some(), egui::Button::new(label));
                if let Some((r, bailleur, e, y)) = &pret
                    && b.clicked()
                {
                    actions.push(Action::ExportAnnexe(DemandeAnnexe {
                        reservataire: contingents::model::Reservataire::new(r.as_str()),
                        bailleur: Some(bailleur.clone()),
                        epci: e.clone(),
                        annee: *y,
                        format,
                    }));
                }
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::FermerAnnexe);
            }
        });
        if pret.is_none() {
            ui.colored_label(theme::ALERTE, "Choisissez le réservataire, le bailleur, l'EPCI et l'année.");
        }
        // The refusal of the annex asked (its flux never saved), while the same one is chosen.
        if let Some((d, r)) = &a.refus
            && a.bailleur == d.bailleur
            && a.epci.as_deref() == Some(d.epci.as_str())
            && a.annee.trim().parse::<i32>().ok() == Some(d.annee)
        {
            ui.colored_label(theme::ERREUR, format!("Annexe refusée : {r}"));
        }
    });
    actions
}

/// What closing the window would stop, and the question asked then (`None`: a read, closed
/// without a word).
pub fn question_de_fermeture(job: &str) -> Option<[&'static str; 4]> {
    match job {
        "import" => Some([
            "Un import est en cours : l'annuler et fermer ?",
            "Annulé, l'import ne laisse rien dans le dossier : il reste tel qu'il était avant.",
            "Annuler l'import et fermer",
            "Continuer l'import",
        ]),
        "état des lieux" | "export" => Some([
            "Un export est en cours : l'annuler et fermer ?",
            "Le document ne sera pas écrit ; le dossier n'est pas touché.",
            "Annuler l'export et fermer",
            "Continuer l'export",
        ]),
        "lecture" => Some([
            "Des fichiers sont en cours de lecture pour l'import : l'arrêter et fermer ?",
            "Rien n'a encore été écrit dans le dossier.",
            "Arrêter et fermer",
            "Continuer",
        ]),
        "enregistrement"
        | "rétablissement"
        | "retrait"
        | "annulation"
        | "rapprochement d'un libellé"
        | "financement"
        | "déclaration"
        | "suivi"
        | "création"
        | "propriétés" => Some([
            "Le dossier est en cours d'écriture : fermer dès que c'est fini ?",
            "L'écriture se termine d'abord (quelques secondes au plus) : le dossier reste entier.",
            "Fermer dès que c'est fini",
            "Ne pas fermer",
        ]),
        _ => None,
    }
}

/// The question asked when the window is closed during a job.
pub fn fermeture(job: &str, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    let Some([question, detail, oui, non]) = question_de_fermeture(job) else { return actions };
    dialogue_court(ctx, "fermeture", "Fermer Contingents", |ui| {
        ui.strong(question);
        ui.label(detail);
        ui.horizontal_wrapped(|ui| {
            if ui.button(oui).clicked() {
                actions.push(Action::Fermer(true));
            }
            if ui.button(non).clicked() {
                actions.push(Action::Fermer(false));
            }
        });
    });
    actions
}

/// The closing asked during a job that ended while the question was shown (an import
/// finished, written): not dropped without a word — said, and asked again.
pub fn fermeture_apres_travail(ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    dialogue_court(ctx, "fermeture-apres", "Fermer Contingents", |ui| {
        ui.strong("Le travail en cours s'est terminé pendant la question.");
        ui.label("Ce qu'il a fait est dit dans la barre d'état (un import terminé est enregistré dans le dossier et dans l'Historique). Fermer Contingents maintenant ?");
        ui.horizontal_wrapped(|ui| {
            if ui.button("Fermer maintenant").clicked() {
                actions.push(Action::Fermer(true));
            }
            if ui.button("Ne pas fermer").clicked() {
                actions.push(Action::Fermer(false));
            }
        });
    });
    actions
}

/// Flux parameters typed and not saved, before an export, the window's closing or another
/// dossier: « les enregistrer / ne pas les enregistrer / annuler », with what changed.
pub fn question_flux(q: &ApresFlux, fv: &FluxView, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    let (oui, non, detail) = match q {
        ApresFlux::Exporter(_) => (
            "Les enregistrer, puis exporter",
            "Exporter avec les paramètres enregistrés",
            "Un document reprend toujours les paramètres enregistrés dans le dossier.",
        ),
        ApresFlux::Fermer => (
            "Enregistrer et fermer",
            "Fermer sans enregistrer",
            "Sans enregistrement, les modifications sont perdues à la fermeture.",
        ),
        ApresFlux::Continuer(_) => (
            "Enregistrer, puis continuer",
            "Continuer sans enregistrer",
            "Sans enregistrement, les modifications sont perdues.",
        ),
    };
    dialogue_court(ctx, "question-flux", "Paramètres du flux non enregistrés", |ui| {
        ui.strong(format!(
            "Paramètres du flux {} {} modifiés, non enregistrés :",
            fv.annee,
            contingents::format::de(&fv.bailleur)
        ));
        for c in super::flux::changements(fv) {
            ui.label(format!("• {c}"));
        }
        ui.label(detail);
        ui.horizontal_wrapped(|ui| {
            if ui.button(oui).clicked() {
                actions.push(Action::ReponseFlux(Some(true)));
            }
            if ui.button(non).clicked() {
                actions.push(Action::ReponseFlux(Some(false)));
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::ReponseFlux(None));
            }
        });
    });
    actions
}

/// A fiche navette asked for a dwelling outside the assiette: said before it is produced.
pub fn navette_exclue(a: &Action, ctx: &egui::Context) -> Vec<Action> {
    let mut actions = vec![];
    let Action::FicheNavette { reference, exclusion: Some(motif), .. } = a else { return actions };
    dialogue_court(ctx, "navette-exclue", "Fiche navette", |ui| {
        ui.strong(format!("Logement {reference} exclu de l'assiette ({motif})"));
        ui.label("Il ne fait pas partie du flux : une fiche navette le proposerait à un réservataire qui ne le décompte pas.");
        ui.horizontal_wrapped(|ui| {
            if ui.button("Produire la fiche quand même").clicked() {
                actions.push(Action::NavetteExclue(true));
            }
            if ui.button("Annuler").clicked() {
                actions.push(Action::NavetteExclue(false));
            }
        });
    });
    actions
}
