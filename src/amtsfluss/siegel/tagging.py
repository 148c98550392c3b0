"""The seal's field in the structure tree of a tagged (PDF/UA) document.

PDF/UA asks that every widget annotation sit in a ``Form`` structure element and that every
form field have an alternate name (``/TU``); an invisible signature widget is no exception.
``seal_field_create`` makes the empty signature field itself (pyHanko then signs into it) and,
when the document is tagged, links the widget into the tree: a ``Form`` element with ``/Alt``
under the ``Document`` element, an object reference to the widget, and a new ``ParentTree``
entry that the widget's ``/StructParent`` points to. All in the seal's own incremental update.
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields


def seal_field_create(
    writer: IncrementalPdfFileWriter, *, field_name: str, description: str
) -> None:
    """An empty, invisible signature field ``field_name`` described as ``description``."""
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=field_name))
    field_ref = next(
        ref for _name, _value, ref in fields.enumerate_sig_fields(writer, with_name=field_name)
    )
    widget = field_ref.get_object()
    widget["/TU"] = generic.TextStringObject(description)
    writer.update_container(widget)
    root = writer.root
    if "/StructTreeRoot" not in root:
        return
    tree = root["/StructTreeRoot"]
    parent_tree = tree["/ParentTree"]
    numbers = parent_tree["/Nums"]
    key = max([int(numbers[i]) for i in range(0, len(numbers), 2)], default=-1) + 1
    document_ref = _document_element(tree)
    page_ref = widget.raw_get("/P")
    form = _dictionary(
        Type=generic.pdf_name("/StructElem"),
        S=generic.pdf_name("/Form"),
        P=document_ref,
        Pg=page_ref,
        Alt=generic.TextStringObject(description),
        K=_dictionary(Type=generic.pdf_name("/OBJR"), Obj=field_ref, Pg=page_ref),
    )
    form_ref = writer.add_object(form)
    document = document_ref.get_object()  # type: ignore[no-untyped-call]
    children = document.get("/K")
    if isinstance(children, generic.ArrayObject):
        children.append(form_ref)
    else:
        document["/K"] = generic.ArrayObject([children, form_ref] if children else [form_ref])
    writer.update_container(document)
    numbers.append(_number(key))
    numbers.append(form_ref)
    writer.update_container(parent_tree)
    widget["/StructParent"] = _number(key)
    writer.update_container(widget)
    if "/ParentTreeNextKey" in tree:
        tree["/ParentTreeNextKey"] = _number(key + 1)
        writer.update_container(tree)


def _document_element(tree: generic.DictionaryObject) -> generic.IndirectObject:
    """The tree's top element (``Document`` for our renderings), as an indirect reference."""
    top = tree.raw_get("/K")
    if isinstance(top, generic.ArrayObject):
        top = top.raw_get(0)
    if not isinstance(top, generic.IndirectObject):
        raise ValueError("the structure tree's top element is not an indirect object")
    return top


def _dictionary(**entries: generic.PdfObject) -> generic.DictionaryObject:
    return generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {generic.pdf_name(f"/{key}"): value for key, value in entries.items()}
    )


def _number(value: int) -> generic.NumberObject:
    return generic.NumberObject(value)  # type: ignore[no-untyped-call]
