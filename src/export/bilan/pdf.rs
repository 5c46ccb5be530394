//! The bilan as a PDF to sign.

use super::{
    BASES_DES_PARTS, CIA_EXPLICATION, COLONNES, COLONNES_PRIORITAIRES, COLONNES_QUARTILES, COMPTAGE, DETAIL,
    MISES_A_DISPOSITION, cia_non_renseignee, libelle_taux, lignes_prioritaires, lignes_quartiles, perimetre_du_bilan,
    periode, reference, signataires, titre,
};
use crate::consolidate::{libelle_reservataire, nom_commune};
use crate::export::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
};
use crate::format::{date_fr, ecart_fr, entier, logements_fr, pourcentage};
use crate::suivi::bilan::{Bilan, BilanReservataire};
use std::path::Path;

/// The taux de chute in words: « — » when no mise à disposition of the period is concluded.
fn taux_chute(r: &BilanReservataire) -> String {
    if r.mises_a_disposition.saturating_sub(r.en_cours) == 0 { "—".into() } else { pourcentage(r.taux_chute) }
}

/// The cells of the realisations (from « Mis à disposition » to the taux de chute) of a bilan
/// whose register was not sent: unknown, never zeros.
fn sans_realisations(b: &Bilan, mut v: Vec<String>) -> Vec<String> {
    if b.registre_non_transmis() {
        for c in v.iter_mut().skip(4) {
            *c = "—".into();
        }
    }
    v
}

fn ligne(b: &Bilan, r: &BilanReservataire) -> Vec<String> {
    let d = b.decimales();
    sans_realisations(
        b,
        vec![
            libelle_reservataire(&r.id),
            r.decompte.label().to_string(),
            entier(r.objectif),
            logements_fr(r.objectif_periode, d),
            entier(r.mises_a_disposition),
            entier(r.avec_candidats),
            entier(r.examines_cal),
            entier(r.attributions),
            entier(r.baux_signes),
            entier(r.decomptes),
            ecart_fr(r.ecart, d),
            entier(r.baux_cohorte),
            entier(r.en_cours),
            entier(r.chutes),
            taux_chute(r),
        ],
    )
}

/// The total row of the réservataires (the taux de chute of all their concluded ones).
fn total(b: &Bilan) -> Vec<String> {
    let t = b.total();
    sans_realisations(
        b,
        vec![
            "Total".into(),
            String::new(),
            entier(t.objectif),
            logements_fr(t.objectif_periode, b.decimales()),
            entier(t.mises_a_disposition),
            entier(t.avec_candidats),
            entier(t.examines_cal),
            entier(t.attributions),
            entier(t.baux_signes),
            entier(t.decomptes),
            ecart_fr(t.ecart, b.decimales()),
            entier(t.baux_cohorte),
            entier(t.en_cours),
            entier(t.chutes),
            t.taux_chute.map(pourcentage).unwrap_or_else(|| "—".into()),
        ],
    )
}

fn objectif_ou_aucun(x: Option<f64>) -> String {
    x.map(|x| crate::format::pourcentage_fr(x, 0)).unwrap_or_else(|| "aucun".into())
}

/// A CIA share in the PDF with its base: « 100,0 % (base 1 / 41, indicative) » when fewer than
/// half of the households are known, never read as « atteint ».
fn part_et_base(part: Option<f64>, baux: u64, non_renseignes: u64) -> String {
    let Some(x) = part else { return "—".into() };
    let connus = baux - non_renseignes;
    let indicative = if crate::suivi::cia::base_suffisante(connus, baux) { "" } else { ", indicative" };
    format!(
        "{} (base {} / {}{indicative})",
        crate::format::pourcentage_fr(x, 1),
        crate::format::entier(connus),
        crate::format::entier(baux)
    )
}

/// The bilan as a PDF to sign: what the workbook holds, over as many pages as needed.
pub(super) fn pdf(b: &Bilan, out: &Path) -> Result<(), ExportError> {
    let territoire = match (&b.epci, b.epcis_comptes.as_slice()) {
        (Some(e), _) => crate::consolidate::nom_epci(e),
        (None, []) => "tous les EPCI du dossier".into(),
        (None, noms) => noms.join(", "),
    };
    let entete = Entete {
        document: titre(b),
        mentions: vec![
            format!("Bailleur : {}", b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into())),
            format!("EPCI : {territoire}"),
            match periode(b) {
                p if p.starts_with("du ") => format!("Période : {p}"),
                p => format!("Période : {p} (du {} au {})", date_fr(&b.debut), date_fr(&b.fin)),
            },
            match &b.reservataire {
                Some(r) => format!("Réservataire : {}", libelle_reservataire(r)),
                None => "Réservataires : tous".into(),
            },
        ],
        edition: date_d_edition(),
        reference: reference(b),
    };
    let mut p = Pdf::document(true, entete);
    p.titre(13.0, &titre(b));
    p.texte(8.5, COMPTAGE);
    for l in perimetre_du_bilan(b) {
        p.texte(8.5, &l);
    }
    p.titre(11.0, "Avancement par réservataire");
    p.texte(8.5, MISES_A_DISPOSITION);
    // The décompte step goes to the next table: one line per réservataire here, the table
    // whole on its page with its total.
    let sans_decompte = |mut v: Vec<String>| {
        v.remove(1);
        v
    };
    let rows: Vec<Vec<String>> = std::iter::once(sans_decompte(COLONNES.iter().map(|s| s.to_string()).collect()))
        .chain(b.reservataires.iter().map(|r| sans_decompte(ligne(b, r))))
        .chain((b.reservataires.len() > 1).then(|| sans_decompte(total(b))))
        .collect();
    let widths = [164.0, 46.0, 46.0, 46.0, 46.0, 46.0, 42.0, 42.0, 46.0, 42.0, 46.0, 40.0, 40.0, 40.0];
    let right = [false, true, true, true, true, true, true, true, true, true, true, true, true, true];
    let hauteur = 7.5 * 1.25 * 3.0 + (rows.len() as f32) * 7.5 * 2.35 + 20.0;
    if hauteur < 480.0 {
        p.assurer(hauteur);
    }
    p.tableau(&widths, &right, &rows, 7.5);

    p.titre(11.0, "Part réalisée contre l'objectif, décompte, reliquat et chutes par cause");
    p.texte(8.5, BASES_DES_PARTS);
    if libelle_taux(b) != "Taux de la convention" {
        p.texte(
            8.5,
            "Bilan de plusieurs bailleurs : le taux indiqué est la moyenne des taux de leurs conventions pondérée par le flux de chacun ; chaque convention garde son propre taux (bilan par bailleur).",
        );
    }
    if !b.annuel {
        p.texte(8.5, "Bilan intermédiaire : le reliquat (objectif de l'année non atteint) est établi au bilan annuel.");
    }
    let mut head = vec![
        "Réservataire".to_string(),
        "Décompte".into(),
        "Périmètre du taux".into(),
        format!("{} (part du flux entier)", libelle_taux(b)),
        "Objectif : part du flux des réservataires".into(),
        "Réalisé : part des décomptes des réservataires (ses décomptés / ceux du périmètre)".into(),
    ];
    if b.annuel {
        head.push("Reliquat reporté".into());
    }
    head.extend(crate::suivi::bilan::CAUSES_DE_CHUTE.iter().map(|(_, l)| format!("Chutes — {l}")));
    let rows: Vec<Vec<String>> = std::iter::once(head)
        .chain(b.reservataires.iter().map(|x| {
            let mut r = vec![
                libelle_reservataire(&x.id),
                x.decompte.label().to_string(),
                x.perimetre.clone(),
                pourcentage(x.taux_convention),
                pourcentage(x.part_flux_reserve),
                format!(
                    "{} ({} / {})",
                    pourcentage(x.part_realisee),
                    entier(x.decomptes),
                    entier(x.decomptes_du_perimetre)
                ),
            ];
            if b.annuel {
                r.push(x.reliquat.map(entier).unwrap_or_default());
            }
            r.extend(
                crate::suivi::bilan::CAUSES_DE_CHUTE
                    .iter()
                    .map(|(k, _)| entier(x.chutes_par_cause.get(k).copied().unwrap_or(0))),
            );
            if b.registre_non_transmis() {
                for c in r.iter_mut().skip(5) {
                    *c = "—".into();
                }
            }
            r
        }))
        .collect();
    let mut widths = vec![140.0, 56.0, 120.0, 60.0, 60.0, 64.0];
    let mut right = vec![false, false, false, true, true, true];
    if b.annuel {
        widths.push(46.0);
        right.push(true);
    }
    let reste = (p.largeur() - widths.iter().sum::<f32>()) / 4.0;
    widths.extend([reste; 4]);
    right.extend([true; 4]);
    p.tableau(&widths, &right, &rows, 7.5);

    if b.reservataire.is_none() {
        hors_flux_pdf(&mut p, b);
    }
    cia_pdf(&mut p, b);
    ventilation_pdf(&mut p, b);
    fin_pdf(&mut p, b);
    p.save(out)
}

/// The libérations outside the flux against the forecast (the bilan of the bailleur or the EPCI).
fn hors_flux_pdf(p: &mut Pdf, b: &Bilan) {
    p.titre(11.0, "Hors flux : baux signés par catégorie de soustraits, contre la prévision");
    let rows: Vec<Vec<String>> = std::iter::once(vec![
        "Catégorie".to_string(),
        format!("Prévus ({})", if b.annuel { "flux de l'année" } else { "au prorata de la période" }),
        "Réalisés (baux signés)".into(),
        "Écart".into(),
    ])
    .chain(crate::suivi::HorsFlux::ALL.iter().map(|h| {
        let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
        let d = b.decimales();
        if b.registre_non_transmis() {
            return vec![h.label().to_string(), logements_fr(v.prevus_periode, d), "—".into(), "—".into()];
        }
        vec![
            h.label().to_string(),
            logements_fr(v.prevus_periode, d),
            entier(v.realises),
            ecart_fr(v.realises as f64 - v.prevus_periode, d),
        ]
    }))
    .collect();
    p.tableau(&[420.0, 110.0, 110.0, 80.0], &[false, true, true, true], &rows, 8.0);
}

fn cia_pdf(p: &mut Pdf, b: &Bilan) {
    p.titre(11.0, "Objectifs d'attribution (CIA, art. L.441-1 du CCH)");
    if !b.cia.renseigne {
        p.texte(8.5, &cia_non_renseignee(b));
    } else {
        p.texte(8.5, CIA_EXPLICATION);
        let rows: Vec<Vec<String>> = std::iter::once(COLONNES_PRIORITAIRES.iter().map(|s| s.to_string()).collect())
            .chain(lignes_prioritaires(b).into_iter().map(|(nom, baux, prio, dalo, nr, part, objectif)| {
                vec![
                    nom,
                    entier(baux),
                    entier(prio),
                    entier(dalo),
                    entier(nr),
                    part_et_base(part, baux, nr),
                    objectif_ou_aucun(objectif),
                ]
            }))
            .collect();
        p.tableau(
            &[220.0, 80.0, 90.0, 70.0, 90.0, 110.0, 80.0],
            &[false, true, true, true, true, true, true],
            &rows,
            8.0,
        );
        let rows: Vec<Vec<String>> = std::iter::once(COLONNES_QUARTILES.iter().map(|s| s.to_string()).collect())
            .chain(lignes_quartiles(b).into_iter().map(|(nom, h, q)| {
                vec![
                    nom,
                    entier(h.baux),
                    entier(h.premier_quartile),
                    entier(h.non_renseignes),
                    part_et_base(h.part, h.baux, h.non_renseignes),
                    objectif_ou_aucun(Some(h.objectif)),
                    entier(q.baux),
                    entier(q.quartiles_2_4),
                    entier(q.non_renseignes),
                    part_et_base(q.part, q.baux, q.non_renseignes),
                    objectif_ou_aucun(Some(q.objectif)),
                ]
            }))
            .collect();
        if rows.len() > 1 {
            p.tableau(
                &[150.0, 55.0, 90.0, 60.0, 55.0, 55.0, 55.0, 70.0, 60.0, 55.0, 55.0],
                &[false, true, true, true, true, true, true, true, true, true, true],
                &rows,
                7.5,
            );
        }
    }
}

/// The R.441-5-1 breakdown, readable over its pages (review 2): one table per réservataire (and
/// bailleur, in a bilan of several) with its totals, the commune written once over its lines
/// and totalled when it has several; the same detail, as one table to pivot, is in the workbook.
fn ventilation_pdf(p: &mut Pdf, b: &Bilan) {
    use crate::suivi::bilan::LigneDetail;
    p.titre(11.0, "Ventilation réglementaire (art. R.441-5-1 du CCH)");
    p.texte(
        8.5,
        "Logements proposés (mis à disposition), attribués et baux signés dans la période, par réservataire, commune, typologie, financement, QPV et période de construction : un tableau par réservataire, ses totaux en tête ; chaque commune écrite une fois, totalisée quand elle a plusieurs lignes. Le même détail, en une table prête pour un tableau croisé, est dans l'onglet « Ventilation » du classeur (.xlsx).",
    );
    if b.registre_non_transmis() {
        p.texte(8.5, "Registre non transmis : ventilation inconnue.");
        return;
    }
    if b.detail.is_empty() {
        p.texte(8.5, "Aucune mise à disposition, attribution ni bail dans la période.");
        return;
    }
    let somme = |v: &[&LigneDetail]| {
        [
            v.iter().map(|d| d.mises_a_disposition).sum::<u64>(),
            v.iter().map(|d| d.attributions).sum(),
            v.iter().map(|d| d.baux_signes).sum(),
        ]
    };
    let plusieurs = b.bailleur.is_none() && b.bailleurs.len() > 1;
    let widths = [150.0, 62.0, 78.0, 62.0, 90.0, 78.0, 62.0, 62.0];
    let right = [false, false, false, false, false, true, true, true];
    let mut groupes: Vec<Vec<&LigneDetail>> = Vec::new();
    for d in &b.detail {
        match groupes.last_mut() {
            Some(g) if (g[0].bailleur == d.bailleur && g[0].reservataire == d.reservataire) => g.push(d),
            _ => groupes.push(vec![d]),
        }
    }
    // The réservataires in the order of the bilan's rows (the State first, then its agents), not
    // of their ids (Action Logement first, the State last); each bailleur's together.
    let rang = |id: &crate::model::Reservataire| b.reservataires.iter().position(|r| r.id == *id).unwrap_or(usize::MAX);
    groupes.sort_by(|x, y| {
        x[0].bailleur.cmp(&y[0].bailleur).then(rang(&x[0].reservataire).cmp(&rang(&y[0].reservataire)))
    });
    for g in &groupes {
        let [m, a, l] = somme(g);
        let qui = if plusieurs {
            format!("{} — {}", g[0].bailleur, libelle_reservataire(&g[0].reservataire))
        } else {
            libelle_reservataire(&g[0].reservataire)
        };
        let mut rows: Vec<Vec<String>> = vec![DETAIL.iter().map(|s| s.to_string()).collect()];
        let mut i = 0;
        while i < g.len() {
            let n = g[i..].iter().take_while(|d| d.commune == g[i].commune).count();
            let commune = &g[i..i + n];
            for (k, d) in commune.iter().enumerate() {
                rows.push(vec![
                    if k == 0 { nom_commune(&d.commune) } else { String::new() },
                    d.typologie.clone(),
                    d.financement.clone(),
                    if d.qpv { "QPV".into() } else { "hors QPV".into() },
                    d.periode_construction.to_string(),
                    entier(d.mises_a_disposition),
                    entier(d.attributions),
                    entier(d.baux_signes),
                ]);
            }
            if n > 1 {
                let [cm, ca, cl] = somme(commune);
                rows.push(vec![
                    format!("   Total {}", nom_commune(&commune[0].commune)),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    entier(cm),
                    entier(ca),
                    entier(cl),
                ]);
            }
            i += n;
        }
        rows.push(vec![
            format!("Total {qui}"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            entier(m),
            entier(a),
            entier(l),
        ]);
        // The heading stays with the start of its table.
        p.assurer(11.0 * 1.6 + 7.5 * 1.25 * 4.0 + 20.0);
        p.titre(9.5, &format!("{qui} : {}", trois_nombres(m, a, l)));
        p.tableau(&widths, &right, &rows, 7.5);
    }
    if groupes.len() > 1 {
        let [m, a, l] = somme(&b.detail.iter().collect::<Vec<_>>());
        p.texte(8.5, &format!("Total de la ventilation : {}.", trois_nombres(m, a, l)));
    }
}

/// « 1 mis à disposition, 1 attribué, 1 bail signé », « 60 mis à disposition, 46 attribués, 44
/// baux signés ».
fn trois_nombres(m: u64, a: u64, l: u64) -> String {
    use crate::format::pluriel;
    format!(
        "{} mis à disposition, {}, {}",
        entier(m),
        pluriel(a, "attribué", "attribués"),
        pluriel(l, "bail signé", "baux signés")
    )
}

/// The alerts, the late answers, the register rows set aside, the signatures.
fn fin_pdf(p: &mut Pdf, b: &Bilan) {
    // Nothing after the alerts but the signatures: they go together (never a signature block
    // alone on its page).
    if b.retards_de_reponse.is_empty() && b.signalements.is_empty() && b.rejets.is_empty() {
        let alertes: f32 = if b.alertes.is_empty() {
            p.hauteur_texte(8.5, "Aucune alerte.")
        } else {
            b.alertes.iter().map(|a| p.hauteur_texte(8.5, &format!("• {}", a.detail))).sum()
        };
        let h = 11.0 * 1.6 + alertes + p.hauteur_signatures(&signataires(b));
        if h < 400.0 {
            p.assurer(h);
        }
    } else if b.signalements.is_empty() && b.rejets.is_empty() {
        p.garder_pour_la_suite = p.hauteur_signatures(&signataires(b));
    }
    p.titre(11.0, "Alertes");
    if b.alertes.is_empty() {
        p.texte(8.5, "Aucune alerte.");
    }
    for a in &b.alertes {
        p.texte(8.5, &format!("• {}", a.detail));
    }
    if !b.retards_de_reponse.is_empty() {
        p.titre(11.0, "Mises à disposition sans réponse après leur échéance");
        let rows: Vec<Vec<String>> = std::iter::once(vec![
            "Bailleur".to_string(),
            "Logement".into(),
            "Réservataire".into(),
            "Mise à disposition".into(),
            "Échéance".into(),
        ])
        .chain(b.retards_de_reponse.iter().map(|r| {
            vec![
                r.bailleur.clone(),
                r.reference.clone(),
                libelle_reservataire(&r.reservataire),
                date_fr(&r.mise_a_disposition.to_string()),
                date_fr(&r.echeance.to_string()),
            ]
        }))
        .collect();
        p.tableau(&[150.0, 120.0, 170.0, 100.0, 100.0], &[false; 5], &rows, 8.0);
    }
    if !b.signalements.is_empty() || !b.rejets.is_empty() {
        p.titre(11.0, "Lignes du registre signalées ou mises de côté");
        let rows: Vec<Vec<String>> =
            std::iter::once(vec!["Bailleur".to_string(), "Où".into(), "Motif".into(), "Valeur".into()])
                .chain(b.signalements.iter().map(|s| {
                    vec![s.bailleur.clone(), format!("logement {}", s.reference), "signalée".into(), s.detail.clone()]
                }))
                .chain(b.rejets.iter().map(|x| {
                    vec![
                        x.bailleur.clone(),
                        format!(
                            "{}{}, ligne {}",
                            x.fichier,
                            x.feuille.as_deref().map(|f| format!(", feuille {f}")).unwrap_or_default(),
                            x.ligne
                        ),
                        crate::suivi::motif_en_clair(&x.motif),
                        x.valeur.clone(),
                    ]
                }))
                .collect();
        p.garder_pour_la_suite = p.hauteur_signatures(&signataires(b));
        p.tableau(&[140.0, 250.0, 120.0, 250.0], &[false; 4], &rows, 8.0);
    }
    p.signatures(None, &signataires(b));
}
