"""The access-control matrix: one declared expectation per endpoint of the URL map.

Each entry says which roles of the world (tests/security/world.py) are let in; by default
anonymous visitors are sent to the login page and everyone else gets a 403. `B_SIDE` is the
other organisation's association member and admin, who ask on their own host for this
organisation's identifiers: they must never see them (404). Routes that only accept POST are
checked for the roles that must be refused (a refused POST changes nothing).

A route added to the application without an entry here fails
test_every_route_has_one_declared_expectation.
"""

from __future__ import annotations

from tests.security.expectations import B_SIDE, EVERYONE, SIGNED_IN, Route, others, public

ROUTES: dict[str, Route] = {
    # --- ami
    "ami.application_decision": Route(ok="admin association", not_found=B_SIDE),
    "ami.application_edit": Route(ok="association", not_found=B_SIDE),
    "ami.application_new": Route(ok="association other_association", not_found="association_b"),
    "ami.application_pdf": Route(ok="admin association", not_found=B_SIDE),
    "ami.application_submit": Route(ok="association", not_found=B_SIDE),  # POST
    "ami.application_view": Route(ok="admin association", not_found=B_SIDE),
    "ami.association_people": Route(ok="admin association", not_found=B_SIDE),
    "ami.association_person_remove": Route(
        ok="admin", not_found=B_SIDE, other=(("association", "400"),)
    ),  # POST
    "ami.association_profile": Route(ok="admin association", not_found=B_SIDE),
    "ami.association_signup": public(),
    "ami.associations_admin": Route(ok="admin_b admin"),
    "ami.call_edit": Route(ok="admin", not_found="admin_b"),
    "ami.call_manage": Route(ok="admin", not_found="admin_b"),
    "ami.call_new": Route(ok="admin_b admin"),
    "ami.call_public": public(not_found=B_SIDE),
    "ami.call_publish": Route(ok="admin", not_found="admin_b"),  # POST
    "ami.call_specification_file": public(not_found=B_SIDE),
    "ami.call_stats": Route(ok="admin", not_found="admin_b"),
    "ami.calls_public": public(),
    "ami.city_contract": Route(ok="admin", not_found="admin_b"),  # POST
    "ami.cooperation_declare_admin": Route(ok="admin", other=(("admin_b", "422"),)),  # POST
    "ami.cooperation_delete": Route(ok="admin association", not_found=B_SIDE),  # POST
    "ami.cooperation_network": Route(ok="admin_b admin"),
    "ami.cooperation_network_csv": Route(ok="admin_b admin"),
    "ami.cooperations_mine": Route(ok="association", not_found=B_SIDE),
    "ami.decision_edit": Route(ok="admin", not_found=B_SIDE),
    "ami.decision_letter": Route(ok="admin association", not_found=B_SIDE),
    "ami.decisions_notify": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.deliberation": Route(ok="admin", not_found=B_SIDE),
    "ami.deliberation_open": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.directory": public(),
    "ami.directory_entry": public(not_found=B_SIDE),
    "ami.directory_profile_edit": Route(ok="admin association", not_found=B_SIDE),
    "ami.essaimage_build_plan": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.essaimage_day": Route(ok="admin", not_found=B_SIDE),
    "ami.essaimage_edit": Route(ok="admin", not_found=B_SIDE),
    "ami.essaimage_ics": Route(ok="association", not_found=B_SIDE),
    "ami.essaimage_invite": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.essaimage_invite_funded": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.essaimage_manage": Route(ok="admin_b admin"),
    "ami.essaimage_mine": Route(ok="association", not_found=B_SIDE),
    "ami.essaimage_my_plan": Route(ok="association", not_found=B_SIDE),
    "ami.essaimage_new": Route(ok="admin_b admin"),
    "ami.essaimage_plan_associations": Route(ok="admin", not_found=B_SIDE),
    "ami.essaimage_plan_tables": Route(ok="admin", not_found=B_SIDE),
    "ami.essaimage_respond": Route(not_found=B_SIDE, other=(("association", "422"),)),  # POST
    "ami.essaimage_uninvite": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearing_confirm": Route(ok="association", not_found=B_SIDE),  # POST
    "ami.hearing_ics": Route(ok="admin association", not_found=B_SIDE),
    "ami.hearing_move": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearing_set_slot": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearing_slot_add": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearing_slot_remove": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearings": Route(ok="admin", not_found=B_SIDE),
    "ami.hearings_invite": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.hearings_propose": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.jury_application": Route(ok="jury"),
    "ami.jury_call": Route(ok="jury"),
    "ami.jury_index": Route(ok="jury"),
    "ami.jury_members": Route(ok="admin", not_found=B_SIDE),
    "ami.manage_calls": Route(ok="admin_b admin"),
    "ami.my_applications": Route(ok="association_b association other_association"),
    "ami.network_home": Route(ok="association_b admin_b admin association other_association"),
    "ami.network_interest": Route(ok="association", not_found=B_SIDE),  # POST
    "ami.network_interest_withdraw": Route(ok="association", not_found=B_SIDE),  # POST
    "ami.network_matches": Route(ok="association", not_found=B_SIDE),
    "ami.network_settings": Route(ok="admin_b admin"),
    "ami.network_suggestions": Route(ok="association", not_found=B_SIDE),
    "ami.network_tag_delete": Route(ok="admin", not_found=B_SIDE),  # POST
    "ami.network_tags": Route(ok="admin_b admin"),
    "ami.network_tags_defaults": Route(ok="admin_b admin"),  # POST
    "ami.network_thread": Route(ok="association", not_found=B_SIDE),
    "ami.qpvs": Route(ok="admin_b admin"),
    "ami.review_application": Route(ok="admin", not_found=B_SIDE),
    "ami.review_list": Route(ok="admin", not_found=B_SIDE),
    "ami.stats": Route(ok="admin_b admin"),
    "ami.stats_export": Route(ok="admin", not_found="admin_b", query=(("appel", "call_id"),)),
    "ami.themes": Route(ok="admin_b admin"),
    # --- api_tokens
    "api_tokens.create": Route(ok=SIGNED_IN),  # POST
    "api_tokens.index": Route(ok=SIGNED_IN),
    "api_tokens.revoke": Route(ok="citizen", not_found=others("citizen")),  # POST
    # --- audit
    "audit.index": Route(ok="admin_b admin"),
    # --- auth
    "auth.accept_invitation": Route(other=((EVERYONE, "400"),)),
    "auth.account": Route(ok=SIGNED_IN),
    "auth.confirm_email": Route(other=((EVERYONE, "400"),)),
    "auth.forgot_password": public(),
    "auth.login": public(),
    "auth.logout": public(),  # POST
    "auth.reset_password": public(),
    "auth.sign_up": public(),
    # --- two_factor (without a password just checked, the code page sends back to login)
    "two_factor.disable": Route(ok=SIGNED_IN),  # POST
    "two_factor.login_code": Route(login=EVERYONE),
    "two_factor.recovery_codes": Route(ok=SIGNED_IN),  # POST
    "two_factor.settings": Route(ok="admin_b admin"),
    "two_factor.setup": Route(ok=SIGNED_IN),
    # --- bodies
    "bodies.create": Route(ok="admin_b admin"),
    "bodies.detail": Route(ok="admin", not_found=B_SIDE),
    "bodies.edit": Route(ok="admin", not_found=B_SIDE),
    "bodies.index": Route(ok="admin_b admin"),
    "bodies.item_add": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.item_close_vote": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.item_delete": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.item_document": Route(ok="admin", not_found=B_SIDE),
    "bodies.item_edit": Route(ok="admin", not_found=B_SIDE),
    "bodies.item_move": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.item_open_vote": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.item_paper_votes": Route(ok="admin", not_found=B_SIDE),
    "bodies.mayors_conference": Route(ok="admin_b admin"),  # POST
    "bodies.meeting_attendance": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_convene": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.meeting_create": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_edit": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_manage": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_mark_held": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.meeting_minutes": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_minutes_pdf": Route(ok="admin", not_found=B_SIDE),
    "bodies.meeting_publish": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.meeting_remind": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.member_add": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.member_remove": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.member_update": Route(ok="admin", not_found=B_SIDE),  # POST
    "bodies.request_detail": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies.requests": Route(ok="admin", not_found=B_SIDE),
    "bodies.sync_mayors": Route(ok="admin", not_found=B_SIDE),  # POST
    # --- bodies_member
    "bodies_member.acknowledge": Route(
        not_found=EVERYONE,
        login="",
    ),
    "bodies_member.agenda": Route(ok=SIGNED_IN),
    "bodies_member.body": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies_member.document": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies_member.feed": Route(
        not_found=EVERYONE,
        login="",
    ),
    "bodies_member.index": Route(ok=SIGNED_IN),
    "bodies_member.meeting": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies_member.meeting_acknowledge": Route(
        ok="other_mayor mayor", not_found="association_b admin_b admin"
    ),  # POST
    "bodies_member.meeting_ics": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies_member.minutes": public(not_found=B_SIDE),
    "bodies_member.request": Route(ok="other_mayor admin mayor", not_found=B_SIDE),
    "bodies_member.request_new": Route(ok="other_mayor mayor", not_found=B_SIDE),
    "bodies_member.request_sign": Route(ok="other_mayor mayor", not_found=B_SIDE),  # POST
    "bodies_member.request_unsign": Route(ok="other_mayor mayor", not_found=B_SIDE),  # POST
    "bodies_member.vote": Route(ok="other_mayor admin mayor", not_found=B_SIDE),  # POST
    # --- citizen
    "citizen.comment": Route(
        ok="citizen other_mayor staff jury admin mayor association other_association codev",
        not_found=B_SIDE,
    ),  # POST
    "citizen.consultation": public(not_found=B_SIDE),
    "citizen.delete_account": Route(ok=SIGNED_IN),
    "citizen.document": public(not_found=B_SIDE),
    "citizen.index": public(),
    "citizen.moderate": Route(ok="admin", not_found="admin_b"),
    "citizen.moderation": Route(ok="admin_b admin"),
    "citizen.my_data": Route(ok=SIGNED_IN),
    "citizen.name_shown": Route(),  # POST
    "citizen.profile": Route(ok=SIGNED_IN),
    "citizen.proposal": public(not_found=B_SIDE),
    "citizen.propose": Route(
        ok="citizen other_mayor staff jury admin mayor association other_association codev",
        not_found=B_SIDE,
    ),
    "citizen.questionnaire": Route(
        ok="citizen other_mayor staff jury admin mayor association other_association codev",
        not_found=B_SIDE,
    ),
    "citizen.report_comment": public(not_found=B_SIDE),
    "citizen.report_proposal": public(not_found=B_SIDE),
    "citizen.support": Route(
        ok="citizen other_mayor staff jury admin mayor association other_association codev",
        not_found=B_SIDE,
    ),  # POST
    "citizen.terms": public(),
    "citizen.withdraw_support": Route(
        ok="citizen other_mayor staff jury admin mayor association other_association codev",
        not_found=B_SIDE,
    ),  # POST
    # --- citizen_manage
    "citizen_manage.create": Route(ok="admin_b admin"),
    "citizen_manage.detail": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.document": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.edit": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.export_answers": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.export_proposals": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.index": Route(ok="admin_b admin"),
    "citizen_manage.proposal": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.proposals": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.publish": Route(ok="admin", not_found="admin_b"),  # POST
    "citizen_manage.question_delete": Route(ok="admin", not_found="admin_b"),  # POST
    "citizen_manage.question_down": Route(ok="admin", not_found="admin_b"),  # POST
    "citizen_manage.question_edit": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.question_up": Route(ok="admin", not_found="admin_b"),  # POST
    "citizen_manage.questions": Route(ok="admin", not_found="admin_b"),
    "citizen_manage.remove_document": Route(ok="admin", not_found="admin_b"),  # POST
    "citizen_manage.synthesis": Route(ok="admin", not_found="admin_b"),
    # --- council
    "council.add_author": Route(ok="codev", not_found=B_SIDE),  # POST
    "council.close_vote": Route(ok="admin", not_found=B_SIDE),  # POST
    "council.contribution": Route(ok="admin codev", not_found=B_SIDE),
    "council.contribution_create": Route(ok="codev"),
    "council.contribution_edit": Route(ok="codev", not_found=B_SIDE),
    "council.follow_up": Route(ok="admin", not_found=B_SIDE),
    "council.history": Route(ok="admin codev", not_found=B_SIDE),
    "council.index": Route(ok="admin_b admin codev"),
    "council.members": Route(ok="admin_b admin codev"),
    "council.offices": Route(ok="admin_b admin"),
    "council.open_vote": Route(ok="admin", not_found=B_SIDE),  # POST
    "council.own_initiative": Route(),
    "council.public": public(),
    "council.public_contribution": public(not_found=B_SIDE),
    "council.referral": Route(ok="admin codev", not_found=B_SIDE),
    "council.referral_create": Route(ok="admin_b admin"),
    "council.referral_document": Route(ok="admin codev", not_found=B_SIDE),
    "council.referral_edit": Route(ok="admin", not_found=B_SIDE),
    "council.report": Route(ok="admin_b admin codev"),
    "council.transmit": Route(ok="admin", not_found=B_SIDE),  # POST
    "council.vote": Route(ok="codev", not_found=B_SIDE),  # POST
    # --- decisions
    "decisions.attach": Route(ok="admin", not_found=B_SIDE),  # POST
    "decisions.create": Route(ok="admin_b admin"),
    "decisions.deliberation": Route(ok="admin", not_found=B_SIDE),
    "decisions.detach": Route(ok="admin", not_found=B_SIDE),  # POST
    "decisions.detail": Route(ok="admin", not_found=B_SIDE),
    "decisions.edit": Route(ok="admin", not_found=B_SIDE),
    "decisions.index": Route(ok="admin_b admin"),
    "decisions.move": Route(ok="admin", not_found=B_SIDE),  # POST
    "decisions.remove_document": Route(ok="admin", not_found=B_SIDE),  # POST
    # --- decisions_public
    "decisions_public.deliberation_pdf": Route(not_found=EVERYONE, login=""),
    "decisions_public.document": public(not_found=B_SIDE),
    "decisions_public.dossier": public(not_found=B_SIDE),
    "decisions_public.feed": public(),
    "decisions_public.index": public(),
    # --- mailbox
    "mailbox.assign": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.close": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.follow_up": Route(ok="admin mayor", not_found="other_mayor staff"),  # POST
    "mailbox.manage": Route(ok="admin_b admin"),
    "mailbox.manage_detail": Route(ok="admin", not_found="admin_b"),
    "mailbox.mine": Route(ok="other_mayor staff mayor"),
    "mailbox.new": Route(ok="other_mayor staff mayor"),
    "mailbox.note": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.question": Route(ok="mayor", not_found="other_mayor staff"),
    "mailbox.reopen": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.reply": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.service_delete": Route(ok="admin", not_found="admin_b"),  # POST
    "mailbox.service_edit": Route(ok="admin", not_found="admin_b"),
    "mailbox.service_list": Route(ok="admin_b admin"),
    "mailbox.statistics": Route(ok="admin_b admin"),
    # --- opendata
    "opendata.call": public(not_found=B_SIDE),
    "opendata.call_projects": public(not_found=B_SIDE),
    "opendata.calls": public(),
    "opendata.communes": public(),
    "opendata.communes_csv": public(),
    "opendata.consultation": public(not_found=B_SIDE),
    "opendata.council_contribution": public(not_found=B_SIDE),
    "opendata.council_contributions": public(),
    "opendata.council_csv": public(),
    "opendata.consultations": public(),
    "opendata.documentation": public(),
    "opendata.dossier": public(not_found=B_SIDE),
    "opendata.dossiers": public(),
    "opendata.dossiers_csv": public(),
    "opendata.meeting": public(not_found=B_SIDE),
    "opendata.meetings": public(),
    "opendata.meetings_csv": public(),
    "opendata.openapi_json": public(),
    "opendata.organisation": public(),
    "opendata.projects": public(),
    "opendata.projects_csv": public(),
    "opendata.proposals": public(not_found=B_SIDE),
    "opendata.proposals_csv": public(not_found=B_SIDE),
    "opendata.saisine": Route(
        not_found=EVERYONE,
        login="",
    ),
    "opendata.saisines": public(),
    "opendata.saisines_csv": public(),
    "opendata.unknown": Route(not_found=EVERYONE, login=""),
    # --- organisations
    "organisations.branding": Route(ok="admin_b admin"),
    "organisations.colours_css": public(),
    "organisations.communes": Route(ok="admin_b admin"),
    "organisations.logo": public(not_found=B_SIDE),  # the world sets a logo
    # --- saisines
    "saisines.create": Route(ok="admin_b admin"),
    "saisines.detail": Route(ok="admin", not_found="admin_b"),
    "saisines.document": Route(ok="admin", not_found="admin_b"),
    "saisines.edit": Route(ok="admin", not_found="admin_b"),
    "saisines.export_csv": Route(ok="admin", not_found="admin_b"),
    "saisines.export_xlsx": Route(ok="admin", not_found="admin_b"),
    "saisines.extend": Route(ok="admin", not_found="admin_b"),
    "saisines.index": Route(ok="admin_b admin"),
    "saisines.open_": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.publish": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.question_delete": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.question_down": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.question_edit": Route(ok="admin", not_found="admin_b"),
    "saisines.question_up": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.questionnaire_new_version": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.questions": Route(ok="admin", not_found="admin_b"),
    "saisines.remove_document": Route(ok="admin", not_found="admin_b"),  # POST
    "saisines.response": Route(ok="admin", not_found="admin_b"),
    "saisines.response_file": Route(ok="admin", not_found="admin_b"),
    "saisines.synthesis_pdf": Route(ok="admin", not_found="admin_b"),
    # --- saisines_commune
    "saisines_commune.attachment": Route(
        ok="staff mayor",
        not_found=others("staff mayor"),
    ),
    "saisines_commune.delegations": Route(ok="mayor", not_found=B_SIDE),
    "saisines_commune.document": Route(
        ok="staff mayor",
        not_found=others("staff mayor"),
    ),
    "saisines_commune.inbox": Route(ok="other_mayor staff mayor"),
    "saisines_commune.respond": Route(
        ok="staff mayor",
        not_found=others("staff mayor"),
    ),
    "saisines_commune.results": Route(not_found=SIGNED_IN),
    "saisines_commune.revoke_delegation": Route(ok="mayor", not_found=B_SIDE),  # POST
    # --- static
    "static": public(),
    # --- users
    "users.add_role": Route(ok="admin", not_found=B_SIDE),  # POST
    "users.detail": Route(ok="admin", not_found=B_SIDE),
    "users.index": Route(ok="admin_b admin"),
    "users.invite": Route(ok="admin_b admin"),
    "users.remove_role": Route(ok="admin", not_found=B_SIDE),  # POST
    "users.resend_invitation": Route(ok="admin", not_found=B_SIDE),  # POST
    "users.set_active": Route(ok="admin", not_found=B_SIDE),  # POST
    # --- web
    "web.accessibility": public(),
    "web.healthz": public(),
    "web.home": public(),
    "web.set_language": public(),  # POST
}
