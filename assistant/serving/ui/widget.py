"""The embeddable widget at /widget/: the same chat as the app (ChatPanel), compact, for iframes and the
<gradio-app> web component. Citation chips open a compact pasal card below the chat, so that a portal's
visitor can check the quote and see a provision's status without leaving the portal."""

from __future__ import annotations

import gradio as gr

from .chat import ChatPanel
from .context import APP_TITLE, DISCLAIMER, EXAMPLES, AppContext


def build_widget(context: AppContext) -> gr.Blocks:
    with gr.Blocks(title=f"{APP_TITLE} (widget)", fill_height=True) as widget:
        panel = ChatPanel(context, prefix="sentra-widget", source="widget", compact=True)
        gr.Markdown(f"**{APP_TITLE}**", elem_classes=["sentra-widget-title"])
        panel.chat(
            380, EXAMPLES[:2],
            f"**{APP_TITLE}**\n\nTanyakan regulasi Sentra IKM; jawaban selalu menyebutkan pasalnya.",
        )
        panel.question_row("Tulis pertanyaan…", send_width=70)
        panel.citation_chips()
        panel.sources_panel()
        panel.feedback_form()
        panel.clear_button()
        gr.Markdown(DISCLAIMER, elem_classes=["sentra-disclaimer"])
        panel.wire()
    return widget
