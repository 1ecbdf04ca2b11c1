"""The Swedish pages, one set per role; thin over ``services`` like the CLI.

- everyone: logga in / logga ut, tillgänglighetsredogörelse;
- rektor: Mina ärenden, the verksamhetsstöd application with a live pre-check, a case;
- handläggare: the queue (paged, filtered), a case with diagnoses (access-logged), confirm or
  override signed by the signed-in caseworker;
- revisor: the audit chains and the access log verified, rule coverage, the access log, cases.

Every POST carries the page's CSRF token (403 without it). A page for another role gives 403;
another school's case gives 404, as if it did not exist.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases import accounts
from cases.accounts import Principal
from cases.errors import ConflictError, DuplicateApplication, InputRefused, NotFound, StateError
from engine.area import load_area
from engine.errors import IntakeError

from . import forms, services
from .security import (CSRF_FIELD, PRE_COOKIE, SESSION_COOKIE, csrf_ok, csrf_token_for, remote_of,
                       session_principal, set_cookies)

HOME = {"rektor": "/mina-arenden", "handlaggare": "/ko", "revisor": "/granskning"}
NAV = {
    "rektor": [("/mina-arenden", "Mina ärenden"), ("/ansokan", "Ny ansökan"), ("/ansokan/csi", "Begär CSI-plats")],
    "handlaggare": [("/ko", "Ärendekö")],
    "revisor": [("/granskning", "Granskning"), ("/granskning/tackning", "Regeltäckning"),
                ("/granskning/atkomstlogg", "Åtkomstlogg"), ("/granskning/statistik", "Statistik"),
                ("/granskning/omprovning", "Omprövning"),
                ("/granskning/arenden", "Ärenden")],
}
DONE_MESSAGES = {"skickad": "Ansökan är mottagen.", "redan": "Ansökan var redan mottagen; inget nytt sparades.",
                 "faststallt": "Beslutet är fattat: förslaget är fastställt.",
                 "andrat": "Beslutet är fattat: förslaget är ändrat.",
                 "kompletterad": "Handlingarna är mottagna och ansökan är prövad på nytt.",
                 "oforandrad": "Inga nya handlingar: ansökan är oförändrad."}


FORM_KINDS = {
    "verksamhetsstod": {"path": "/ansokan", "template": "apply.html", "title": "Ansök om verksamhetsstöd",
                        "build": forms.application_from_form},
    "csi": {"path": "/ansokan/csi", "template": "apply_csi.html", "title": "Begär plats i CSI-grupp",
            "build": forms.csi_from_form},
}


# The service layer names the CLI's options in its refusals; the override form's labels instead.
FIELD_SV = {"--override": "Utfall", "--reason-code": "Skälkod", "--reason": "Motivering", "--level": "Nivå",
            "--period": "Period", "--amount": "Beviljat belopp", "--item": "Begärda handlingar",
            "--date": "Beslutsdatum", "--by": "Handläggare"}


class LoginNeeded(Exception):
    pass


class Forbidden(Exception):
    pass


def render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    ctx = request.app.state.ctx
    principal = session_principal(request)
    values.setdefault("title", "Stödbeslut")
    response = ctx.templates.TemplateResponse(request, template, {
        "user": principal, "nav": NAV.get(principal.role, []) if principal else [],
        "csrf_token": csrf_token_for(request), "csrf_field": CSRF_FIELD, "path": request.url.path, **values},
        status_code=status)
    set_cookies(request, response)
    return response


def require(request: Request, *roles: str) -> Principal:
    principal = session_principal(request)
    if principal is None:
        raise LoginNeeded()
    if roles and principal.role not in roles:
        raise Forbidden()
    return principal


async def form_of(request: Request):
    """The posted form, once its CSRF token is checked (403 otherwise)."""
    form = await request.form()
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise CsrfFailed()
    return form


class CsrfFailed(Exception):
    pass


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def install(app: FastAPI) -> None:
    ctx = app.state.ctx

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, _error):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": "/logga-in"})
        return RedirectResponse(f"/logga-in?nasta={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _error):
        return render(request, "error.html", 403, title="Inte tillåtet",
                      message="Den här sidan hör till en annan roll än din. Du ser bara det din roll behöver.")

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _error):
        return render(request, "error.html", 403, title="Formuläret kunde inte tas emot",
                      message="Formulärets säkerhetstoken saknas eller har gått ut. Ladda om sidan och försök igen.")

    @app.exception_handler(404)
    async def _not_found(request: Request, _error):
        if request.url.path.startswith("/api/"):
            return Response('{"errors":[{"field":"","message":"finns inte"}]}', 404, media_type="application/json")
        return render(request, "error.html", 404, title="Sidan finns inte",
                      message="Det finns ingen sådan sida eller inget sådant ärende som du har behörighet till.")

    # -- everyone ----------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    async def home(request: Request):
        principal = session_principal(request)
        return RedirectResponse(HOME[principal.role] if principal else "/logga-in", status_code=303)

    @app.get("/logga-in", response_class=HTMLResponse)
    async def login_page(request: Request, nasta: str = ""):
        return render(request, "login.html", title="Logga in", nasta=_safe_next(nasta), error=None, username="")

    @app.post("/logga-in", response_class=HTMLResponse)
    async def login(request: Request):
        form = await form_of(request)
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        nasta = _safe_next(str(form.get("nasta") or ""))
        try:
            user, sid = accounts.login(ctx.store, username, password, remote_of(request), ctx.settings.session_hours,
                                       ctx.settings.throttle)
        except accounts.LoginThrottled as error:
            return render(request, "login.html", 429, title="Logga in", nasta=nasta, username=username,
                          error=f"För många misslyckade inloggningar. Försök igen om "
                                f"{max(1, -(-error.retry_after // 60))} minuter.")
        except accounts.LoginRefused:
            return render(request, "login.html", 401, title="Logga in", nasta=nasta, username=username,
                          error="Fel användarnamn eller lösenord.")
        response = RedirectResponse(nasta or HOME[user.role], status_code=303)
        response.set_cookie(SESSION_COOKIE, ctx.keys.session_cookie(sid), max_age=ctx.keys.max_age, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")
        response.delete_cookie(PRE_COOKIE, path="/")
        return response

    @app.post("/logga-ut")
    async def logout(request: Request):
        await form_of(request)
        sid = request.scope.get("stod.sid")
        if sid:
            accounts.end_session(ctx.store, sid)
        response = RedirectResponse("/logga-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/tillganglighet", response_class=HTMLResponse)
    async def accessibility(request: Request):
        return render(request, "tillganglighet.html", title="Tillgänglighetsredogörelse")

    # -- rektor ------------------------------------------------------------------------------

    @app.get("/mina-arenden", response_class=HTMLResponse)
    async def my_cases(request: Request, sida: int = 1, status: str = ""):
        principal = require(request, "rektor")
        page = services.queue_page(ctx.store, ctx.today(), schools=principal.schools, open_only=False,
                                   status=status, page=sida, per_page=ctx.settings.queue_page_size)
        return render(request, "my_cases.html", title="Mina ärenden", page=page, status_filter=status,
                      done=DONE_MESSAGES.get(request.query_params.get("klart", "")))

    def _form_options(kind: str, day: date) -> dict:
        """What a kind's form offers to choose from, read from the rules in force on the day."""
        if kind == "csi":
            area = load_area("csi")
            return {"focus_areas": list(area.param("focus_areas", day)),
                    "groups": list(area.param("catalogue", day)),
                    "report_types": sorted({t for types in area.param("specialist_report_types", day).values()
                                            for t in types})}
        area = load_area(services.VS)
        measures = list(area.param("extraordinary_measures", day)) + list(area.param("ordinary_measures", day))
        return {"measures": [(m, forms.MEASURE_SV.get(m, m)) for m in measures], "documents": forms.DATED_DOCUMENTS}

    def _form_page(request, principal, kind, values, status=200, errors=None, result=None):
        form_kind = FORM_KINDS[kind]
        day = ctx.today()
        return render(request, form_kind["template"], status, title=form_kind["title"], values=values,
                      schools=principal.schools or (), errors=errors or [], result=result, field_id=forms.field_id,
                      today=day, form_path=form_kind["path"], **_form_options(kind, day))

    def _values(form) -> dict:
        """What was typed, to show again; a value that may be a personnummer is never echoed."""
        out = {k: form.get(k) for k in form.keys() if not forms.may_be_personnummer(form.get(k))}
        for name in ("need.measures", "preferred_groups"):
            out[name] = form.getlist(name)
        return out

    def _blank(principal) -> dict:
        values = {"need.measures": [], "preferred_groups": []}
        if principal.schools:
            code = principal.schools[0]
            school = services.latest_school(ctx.store, code) or {}
            values.update({"school.unit_code": code, "school.name": school.get("name", ""),
                           "school.district": school.get("district", ""),
                           "school.organizer": school.get("organizer", "kommunal"),
                           "school.socioeconomic_index": school.get("socioeconomic_index") or ""})
        return values

    def _precheck(kind, form, principal):
        data = FORM_KINDS[kind]["build"](form, principal, ctx.today())
        if not principal.may_see_school(data["school"]["unit_code"]):
            return None, [{"field": "school.unit_code", "message": "välj en av dina egna skolenheter"}]
        try:
            decision, _ = services.precheck(data, ctx.today())
        except IntakeError as error:
            return None, services.error_object(error)["errors"]
        return decision, []

    async def _precheck_page(request: Request, kind: str):
        principal = require(request, "rektor")
        form = await form_of(request)
        decision, errors = _precheck(kind, form, principal)
        if request.headers.get("hx-request"):
            return render(request, "_precheck.html", title="", result=decision, errors=errors,
                          field_id=forms.field_id)
        return _form_page(request, principal, kind, _values(form), 200, errors, decision)

    async def _apply(request: Request, kind: str):
        principal = require(request, "rektor")
        form = await form_of(request)
        data = FORM_KINDS[kind]["build"](form, principal, ctx.today())
        try:
            result = services.submit(ctx.store, data, principal, ctx.today())
        except IntakeError as error:
            return _form_page(request, principal, kind, _values(form), 422, services.error_object(error)["errors"])
        except services.ForbiddenSchool as error:
            return _form_page(request, principal, kind, _values(form), 403,
                              [{"field": "school.unit_code", "message": str(error)}])
        except (DuplicateApplication, InputRefused) as error:
            return _form_page(request, principal, kind, _values(form),
                              409 if isinstance(error, DuplicateApplication) else 422,
                              services.error_object(error)["errors"])
        return RedirectResponse(f"/arenden/{result.case_id}?klart={'skickad' if result.created else 'redan'}",
                                status_code=303)

    for kind, form_kind in FORM_KINDS.items():
        def routes(kind=kind, path=form_kind["path"]):
            @app.get(path, response_class=HTMLResponse, name=f"form-{kind}")
            async def form_page(request: Request):
                principal = require(request, "rektor")
                return _form_page(request, principal, kind, _blank(principal))

            @app.post(path + "/forhandsbedomning", response_class=HTMLResponse, name=f"precheck-{kind}")
            async def precheck(request: Request):
                return await _precheck_page(request, kind)

            @app.post(path, response_class=HTMLResponse, name=f"apply-{kind}")
            async def apply(request: Request):
                return await _apply(request, kind)

        routes()

    # -- a case (every role, as the role may see it) -----------------------------------------

    @app.get("/arenden/{case_ref}", response_class=HTMLResponse)
    async def case_page(request: Request, case_ref: str):
        principal = require(request)
        try:
            view = services.case_for(ctx.store, case_ref, principal)
        except NotFound:
            return await _not_found(request, None)
        if principal.sees_diagnoses and services.shows_diagnoses(view):
            accounts.log_access(ctx.store, principal, view["case"]["id"], view["case"]["application_id"],
                                remote_of(request), "ärendesida")
        return _case_page(request, principal, view)

    def _case_page(request, principal, view, status=200, error=None):
        c = view["case"]
        decidable = principal.decides and c["status"] in ("forslag", "komplettering_begard")
        completable = (principal.applies and c["status"] == "komplettering_begard"
                       and c["kind"] == services.VS)
        return render(request, "case.html", status, title=f"Ärende {c['id']}", view=view, c=c,
                      current=view["current"], app=view["applications"][-1]["raw"], decidable=decidable,
                      outcomes=services.override_outcomes() if decidable else [],
                      reason_codes=services.reason_codes(ctx.today()) if decidable else [], error=error,
                      done=DONE_MESSAGES.get(request.query_params.get("klart", "")), completable=completable,
                      documents=forms.DATED_DOCUMENTS,
                      waited=((c["decided_on"] or ctx.today()) - c["received"]).days,
                      target=services.target_days(ctx.today()))

    async def _decide(request: Request, case_ref: str, action):
        principal = require(request, "handlaggare")
        form = await form_of(request)
        try:
            action(principal, form, _int(form.get("version"), None) if form.get("version") else None)
        except (InputRefused, IntakeError, StateError, ConflictError, NotFound) as error:
            try:
                view = services.case_for(ctx.store, case_ref, principal)
            except NotFound:
                return await _not_found(request, None)
            status = 409 if isinstance(error, ConflictError) else 422
            if isinstance(error, (InputRefused, IntakeError)):
                problem = error.problem if isinstance(error, InputRefused) else error.problem
                message = f"{FIELD_SV.get(error.field, error.field)}: {problem}"
            else:
                message = str(error)
            return _case_page(request, principal, view, status, message)
        return None

    @app.post("/arenden/{case_ref}/faststall")
    async def confirm(request: Request, case_ref: str):
        failed = await _decide(request, case_ref, lambda p, form, version: services.confirm(
            ctx.store, case_ref, p, version, ctx.today()))
        return failed or RedirectResponse(f"/arenden/{case_ref}?klart=faststallt", status_code=303)

    @app.post("/arenden/{case_ref}/andra")
    async def override(request: Request, case_ref: str):
        def act(p, form, version):
            amount = str(form.get("amount_sek") or "").replace(" ", "")
            if amount and not amount.isdigit():
                raise InputRefused("--amount", f"ange beloppet i hela kronor, inte {amount!r}")
            level = str(form.get("level") or "").strip()
            if level and not level.isdigit():
                raise InputRefused("--level", f"ange nivån som en siffra, inte {level!r}")
            start, end = str(form.get("period_start") or "").strip(), str(form.get("period_end") or "").strip()
            items = [line.strip() for line in str(form.get("items") or "").splitlines() if line.strip()]
            services.override(ctx.store, case_ref, p, str(form.get("outcome") or ""),
                              str(form.get("reason_code") or ""), str(form.get("reason") or ""),
                              level=int(level) if level else None,
                              period=f"{start}..{end}" if start or end else None,
                              amount_sek=int(amount) if amount else None, items=items or None,
                              expected_version=version, on=ctx.today())

        failed = await _decide(request, case_ref, act)
        return failed or RedirectResponse(f"/arenden/{case_ref}?klart=andrat", status_code=303)

    @app.post("/arenden/{case_ref}/komplettera")
    async def complete(request: Request, case_ref: str):
        principal = require(request, "rektor")
        form = await form_of(request)
        try:
            view = services.case_for(ctx.store, case_ref, principal)
        except NotFound:
            return await _not_found(request, None)
        try:
            result = services.add_documents(ctx.store, view["case"]["id"], forms.completion_from_form(form),
                                            principal, ctx.today())
        except (IntakeError, InputRefused) as error:
            message = "; ".join(f"{e['field']}: {e['message']}" for e in services.error_object(error)["errors"])
            return _case_page(request, principal, view, 422, message)
        except (StateError, ConflictError) as error:
            return _case_page(request, principal, view, 409, str(error))
        return RedirectResponse(f"/arenden/{view['case']['id']}?klart={'kompletterad' if result.created else 'oforandrad'}",
                                status_code=303)

    # -- handläggare -----------------------------------------------------------------------------

    def _queue(request, principal, template, title, open_only):
        q = request.query_params
        day = _day(q.get("datum"), ctx.today())
        filters = {"kind": q.get("typ", ""), "district": q.get("stadsdel", ""), "school": q.get("skola", ""),
                   "status": q.get("status", "")}
        page = services.queue_page(ctx.store, day, **filters, open_only=open_only, page=_int(q.get("sida"), 1),
                                   per_page=ctx.settings.queue_page_size)
        query = {k: v for k, v in (("typ", filters["kind"]), ("stadsdel", filters["district"]),
                                   ("skola", filters["school"]), ("status", filters["status"]),
                                   ("datum", q.get("datum", ""))) if v}
        return render(request, template, title=title, page=page, filters=filters, day=day,
                      options=services.queue_filters(ctx.store), query=urlencode(query), datum=q.get("datum", ""),
                      open_only=open_only)

    @app.get("/ko", response_class=HTMLResponse)
    async def queue(request: Request):
        principal = require(request, "handlaggare")
        return _queue(request, principal, "queue.html", "Ärendekö", True)

    # -- revisor ---------------------------------------------------------------------------------

    @app.get("/granskning", response_class=HTMLResponse)
    async def audit(request: Request):
        require(request, "revisor")
        return render(request, "audit.html", title="Granskning", report=services.verify(ctx.store))

    @app.get("/granskning/tackning", response_class=HTMLResponse)
    async def coverage(request: Request):
        require(request, "revisor")
        return render(request, "coverage.html", title="Regeltäckning", report=services.coverage(ctx.store))

    @app.get("/granskning/atkomstlogg", response_class=HTMLResponse)
    async def access_log(request: Request, sida: int = 1):
        require(request, "revisor")
        per = 100
        with ctx.store.read() as session:
            entries = accounts.access_log(session, limit=per + 1, offset=(max(1, sida) - 1) * per)
        return render(request, "access_log.html", title="Åtkomstlogg", entries=entries[:per], sida=max(1, sida),
                      more=len(entries) > per)

    def _stats(request):
        require(request, "revisor")
        per = request.query_params.get("per", "")
        return per, services.statistics(ctx.store, services.STATS_BY.get(per), ctx.today())

    @app.get("/granskning/statistik", response_class=HTMLResponse)
    async def statistics(request: Request):
        per, report = _stats(request)
        return render(request, "stats.html", title="Statistik", report=report, per=per,
                      rows=(report.groups + [report.total]) if report.by else [report.total])

    @app.get("/granskning/statistik.csv")
    async def statistics_csv(request: Request):
        per, report = _stats(request)
        rows = [[g.key, g.cases, g.decided, g.open, g.median_days, g.p90_days, f"{g.completion_rounds_mean:.2f}",
                 g.past_target, g.open_past_target, g.granted_sek]
                for g in ((report.groups + [report.total]) if report.by else [report.total])]
        return csv_response(f"statistik{'-' + per if per else ''}.csv",
                            ["grupp", "ärenden", "beslutade", "öppna", "median dagar", "90:e percentil dagar",
                             "kompletteringar per ärende", "beslutade över målet", "öppna över målet",
                             "beviljat kr"], rows)

    @app.get("/granskning/omprovning", response_class=HTMLResponse)
    async def replay(request: Request):
        require(request, "revisor")
        case_ref = request.query_params.get("arende", "").strip()
        every = request.query_params.get("alla") == "ja"
        report, error = None, None
        if case_ref or every:
            try:
                report = services.replay(ctx.store, case_ref or None)
            except NotFound as missing:
                error = str(missing)
        return render(request, "replay.html", 404 if error else 200, title="Omprövning", report=report,
                      error=error, case_ref=case_ref)

    @app.get("/granskning/tackning.csv")
    async def coverage_csv(request: Request):
        require(request, "revisor")
        report = services.coverage(ctx.store)
        rows = [[r.area, r.rule_id, r.title, len(r.tagged), len(r.met), len(r.not_met),
                 (r.production or {}).get("met", 0) + (r.production or {}).get("info", 0),
                 (r.production or {}).get("not_met", 0), (r.production or {}).get("decisive", 0),
                 (r.production or {}).get("overrides", 0)] for r in report.rules]
        return csv_response("regeltackning.csv", ["område", "regel", "titel", "scenarier", "visad uppfylld",
                                                  "visad inte uppfylld", "uppfylld i ärenden", "inte uppfylld",
                                                  "avgörande", "ändrade"], rows)

    @app.get("/granskning/atkomstlogg.csv")
    async def access_log_csv(request: Request):
        require(request, "revisor")
        with ctx.store.read() as session:
            entries = accounts.access_log(session, limit=None)
        rows = [[e.seq, e.at.isoformat(), e.actor, e.role, e.case_id, e.application_id, e.remote, e.view, e.hash]
                for e in entries]
        return csv_response("atkomstlogg.csv", ["nr", "tid (UTC)", "vem", "roll", "ärende", "ansökan", "varifrån",
                                                "vy", "hash"], rows)

    @app.get("/granskning/arenden", response_class=HTMLResponse)
    async def all_cases(request: Request):
        principal = require(request, "revisor")
        return _queue(request, principal, "queue.html", "Alla ärenden", False)



def csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    """A report as CSV (UTF-8 with BOM and semicolons, as Swedish spreadsheet programs read it)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row])
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _safe_next(target: str) -> str:
    """Only a path on this site (never another host) may be the page after login."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""
