"""The principal's pages: Mina ärenden, the two application forms with their live pre-check,
sending the documents a completion asks for.

The two forms (verksamhetsstöd at ``/ansokan``, CSI at ``/ansokan/csi``) share their handlers;
the path says which kind (``FORM_KINDS``).
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cases.errors import ConflictError, DuplicateApplication, InputRefused, NotFound, StateError
from engine.area import load_area
from engine.errors import IntakeError

from . import forms, services
from .deps import checked_form, done_message, not_found_page, render, role, web_context
from .pages_case import case_page_response
from .pages_common import page_number

router = APIRouter()
rektor = role("rektor")

FORM_KINDS = {
    "verksamhetsstod": {"path": "/ansokan", "template": "apply.html", "title": "Ansök om verksamhetsstöd",
                        "build": forms.application_from_form},
    "csi": {"path": "/ansokan/csi", "template": "apply_csi.html", "title": "Begär plats i CSI-grupp",
            "build": forms.csi_from_form},
}
KIND_OF_PATH = {spec["path"]: kind for kind, spec in FORM_KINDS.items()}
PRECHECK = "/forhandsbedomning"


def form_kind(request: Request) -> str:
    """Which application form a request is for, from its path."""
    path = request.url.path
    return KIND_OF_PATH[path[:-len(PRECHECK)] if path.endswith(PRECHECK) else path]


@router.get("/mina-arenden", response_class=HTMLResponse)
async def my_cases(request: Request, sida: str = "", status: str = "", principal=Depends(rektor),
                   ctx=Depends(web_context)):
    # ``sida`` read as text and as every page reads it (never FastAPI's English 422 for "abc").
    page = services.queue_page(ctx.store, ctx.today(), schools=principal.schools, open_only=False,
                               status=status, page=page_number(sida), per_page=ctx.settings.queue_page_size)
    return render(request, "my_cases.html", title="Mina ärenden", page=page, status_filter=status,
                  done=done_message(request))


def form_options(kind: str, day: date) -> dict:
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


def form_page(request, ctx, principal, kind, values, status=200, errors=None, result=None):
    spec = FORM_KINDS[kind]
    day = ctx.today()
    return render(request, spec["template"], status, title=spec["title"], values=values,
                  schools=principal.schools or (), errors=errors or [], result=result, field_id=forms.field_id,
                  today=day, form_path=spec["path"], **form_options(kind, day))


def typed_values(form) -> dict:
    """What was typed, to show again; a value that may be a personnummer is never echoed."""
    out = {k: form.get(k) for k in form.keys() if not forms.may_be_personnummer(form.get(k))}
    for name in ("need.measures", "preferred_groups"):
        out[name] = form.getlist(name)
    return out


def blank_values(ctx, principal) -> dict:
    """A new form: the account's first school filled in from its latest case."""
    values = {"need.measures": [], "preferred_groups": []}
    if principal.schools:
        code = principal.schools[0]
        school = services.latest_school(ctx.store, code) or {}
        values.update({"school.unit_code": code, "school.name": school.get("name", ""),
                       "school.district": school.get("district", ""),
                       "school.organizer": school.get("organizer", "kommunal"),
                       "school.socioeconomic_index": school.get("socioeconomic_index") or ""})
    return values


def precheck_of(ctx, kind, form, principal):
    """The engine's decision on the form as filled in (nothing stored), or the errors to fix."""
    data = FORM_KINDS[kind]["build"](form, principal, ctx.today())
    if not principal.may_see_school(data["school"]["unit_code"]):
        return None, [{"field": "school.unit_code", "message": "välj en av dina egna skolenheter"}]
    try:
        decision, _ = services.precheck(data, ctx.today())
    except IntakeError as error:
        return None, services.error_object(error)["errors"]
    return decision, []


@router.get("/ansokan", response_class=HTMLResponse, name="form-verksamhetsstod")
@router.get("/ansokan/csi", response_class=HTMLResponse, name="form-csi")
async def application_form(request: Request, principal=Depends(rektor), kind=Depends(form_kind),
                           ctx=Depends(web_context)):
    return form_page(request, ctx, principal, kind, blank_values(ctx, principal))


@router.post("/ansokan" + PRECHECK, response_class=HTMLResponse, name="precheck-verksamhetsstod")
@router.post("/ansokan/csi" + PRECHECK, response_class=HTMLResponse, name="precheck-csi")
async def precheck(request: Request, principal=Depends(rektor), form=Depends(checked_form),
                   kind=Depends(form_kind), ctx=Depends(web_context)):
    decision, errors = precheck_of(ctx, kind, form, principal)
    if request.headers.get("hx-request"):
        return render(request, "_precheck.html", title="", result=decision, errors=errors,
                      field_id=forms.field_id)
    return form_page(request, ctx, principal, kind, typed_values(form), 200, errors, decision)


@router.post("/ansokan", response_class=HTMLResponse, name="apply-verksamhetsstod")
@router.post("/ansokan/csi", response_class=HTMLResponse, name="apply-csi")
async def apply(request: Request, principal=Depends(rektor), form=Depends(checked_form),
                kind=Depends(form_kind), ctx=Depends(web_context)):
    data = FORM_KINDS[kind]["build"](form, principal, ctx.today())
    try:
        result = services.submit(ctx.store, data, principal, ctx.today())
    except IntakeError as error:
        return form_page(request, ctx, principal, kind, typed_values(form), 422,
                         services.error_object(error)["errors"])
    except services.ForbiddenSchool as error:
        return form_page(request, ctx, principal, kind, typed_values(form), 403,
                         [{"field": "school.unit_code", "message": str(error)}])
    except DuplicateApplication as error:
        told = error.sent_by(f"under Komplettera ansökan på sidan för ärende {error.case_id}")
        return form_page(request, ctx, principal, kind, typed_values(form), 409, services.error_object(told)["errors"])
    except InputRefused as error:
        return form_page(request, ctx, principal, kind, typed_values(form), 422, services.error_object(error)["errors"])
    return RedirectResponse(f"/arenden/{result.case_id}?klart={'skickad' if result.created else 'redan'}",
                            status_code=303)


@router.post("/arenden/{case_ref}/komplettera")
async def complete(request: Request, case_ref: str, principal=Depends(rektor), form=Depends(checked_form),
                   ctx=Depends(web_context)):
    try:
        view = services.case_for(ctx.store, case_ref, principal)
    except NotFound:
        return not_found_page(request)
    try:
        result = services.add_documents(ctx.store, view["case"]["id"], forms.completion_from_form(form),
                                        principal, ctx.today())
    except (IntakeError, InputRefused) as error:
        message = "; ".join(f"{e['field']}: {e['message']}" for e in services.error_object(error)["errors"])
        return case_page_response(request, ctx, principal, view, 422, message)
    except (StateError, ConflictError) as error:
        return case_page_response(request, ctx, principal, view, 409, str(error))
    done = "kompletterad" if result.created else "oforandrad"
    return RedirectResponse(f"/arenden/{view['case']['id']}?klart={done}", status_code=303)


@router.get("/mina-arenden/csi", response_class=HTMLResponse)
async def csi_status(request: Request, principal=Depends(rektor), ctx=Depends(web_context)):
    """The status of the account's schools' CSI requests: outcome, place, waitlist places."""
    return render(request, "csi_status.html", title="CSI-ansökningar",
                  rows=services.csi_status(ctx.store, principal, ctx.today()))
