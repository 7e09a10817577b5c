/* Hotline web chat widget: one script tag on the host page (docs/text-conversations.md).
 *
 *   <script src="https://hotline.example.cn/static/chat/widget.js" data-center="demo"
 *           data-lang="zh-CN" async></script>
 *
 * It talks to the server the script came from over one WebSocket (/api/v1/chat/visitor).
 * What the visitor writes is kept in an outbox (localStorage) under its own client id until
 * the server acknowledges it stored, and sent again after a reconnect; the server keeps each
 * client id once. Messages are shown once per seq; a reload resumes the conversation with the
 * token the server gave and reads only what it missed. A file goes as a `file` frame and then its
 * bytes as one binary frame, checked first against the limits the welcome gave; images the
 * server checked are shown inline, other files as downloads. When nobody can chat (outside
 * the chat queue's hours, or no agent logged in) the panel offers a form to leave a message
 * instead; the centre keeps it as a ticket and the visitor sees its number. A host site that
 * knows its visitor signs a token (docs/chat-widget.md) and puts it in `data-identity`.
 * The centre's greeting and its pre-chat fields (hidden, optional or required) come with the
 * availability answer, so an admin's change applies to the next visitor.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__hotlineChat) return;
  window.__hotlineChat = true;
  const origin = new URL(script.src).origin;
  const center = script.dataset.center || "demo";
  const identity = script.dataset.identity || null; // the host site's signed token
  const lang = (script.dataset.lang || navigator.language || "zh-CN").startsWith("zh") ? "zh-CN" : "en";
  const TEXT = {
    "zh-CN": {
      open: "在线客服", title: "在线客服", name: "您的称呼", phone: "手机号（选填）",
      email: "邮箱（选填）", phoneRequired: "手机号", emailRequired: "邮箱", need: "请填写：{f}",
      start: "开始咨询", placeholder: "请输入消息…", send: "发送",
      typing: "客服正在输入…", ended: "本次会话已结束", rate: "提交评价",
      thanks: "感谢您的评价！", yes: "是", no: "否", satisfied: "满意", unsatisfied: "不满意",
      "quality.link.used": "您已经评价过本次会话，谢谢！",
      "quality.survey.answer_missing": "请回答：{q}", "quality.survey.answer_invalid": "请检查这个答案：{q}", offline: "连接中断，正在重连…", close: "关闭",
      leave: "结束会话", tooLong: "消息太长了（最多4000字）", again: "开始新的会话",
      attach: "发送文件", file: "文件", sending: "正在发送文件…",
      "chat.file.too_large": "文件太大，无法发送", "chat.file.type": "不支持发送此类文件",
      "chat.file.empty": "文件是空的",
      closed: "现在是非工作时间，请留言，我们会尽快回复您。",
      no_agents: "客服暂时不在线，请留言，我们会尽快回复您。",
      no_queue: "在线客服暂未开通，请留言，我们会尽快回复您。",
      message: "留言内容", leaveMessage: "提交留言", left: "留言已收到，编号 {ref}。我们会尽快联系您。",
      needContact: "请留下手机号或邮箱，方便我们回复您", needBody: "请填写留言内容",
      badEmail: "邮箱地址格式不正确",
      "chat.identity.invalid": "无法确认您的身份，请刷新页面后重试",
      "chat.identity.expired": "登录信息已过期，请刷新页面后重试",
      transcript: "发送聊天记录到邮箱", mailIt: "发送", sentTo: "聊天记录已发送至 {email}",
      "chat.transcript.email_invalid": "邮箱地址格式不正确",
      "chat.transcript.no_mailbox": "暂时无法发送邮件，请稍后再试",
      "chat.busy": "当前咨询人数较多，正在为您重新连接，请稍候…",
    },
    en: {
      open: "Chat with us", title: "Web chat", name: "Your name", phone: "Mobile (optional)",
      email: "Email (optional)", phoneRequired: "Mobile", emailRequired: "Email",
      need: "Please fill in: {f}", start: "Start chat", placeholder: "Type a message…", send: "Send",
      typing: "The agent is typing…", ended: "This chat has ended", rate: "Send my answers",
      thanks: "Thank you for your rating!", yes: "Yes", no: "No", satisfied: "Satisfied",
      unsatisfied: "Not satisfied", "quality.link.used": "You have already rated this chat, thank you!",
      "quality.survey.answer_missing": "Please answer: {q}",
      "quality.survey.answer_invalid": "Please check this answer: {q}", offline: "Connection lost, reconnecting…",
      close: "Close", leave: "End chat", tooLong: "The message is too long (at most 4000 characters)",
      again: "Start a new chat", attach: "Send a file", file: "File", sending: "Sending the file…",
      "chat.file.too_large": "The file is too large to send",
      "chat.file.type": "Files of this type cannot be sent", "chat.file.empty": "The file is empty",
      closed: "We are closed now. Leave us a message and we will answer soon.",
      no_agents: "No agent is available now. Leave us a message and we will answer soon.",
      no_queue: "Chat is not open yet. Leave us a message and we will answer soon.",
      message: "Your message", leaveMessage: "Leave a message",
      left: "Thank you, we have your message (number {ref}) and will contact you soon.",
      needContact: "Please give a mobile number or an e-mail address so we can answer",
      needBody: "Please write your message", badEmail: "The e-mail address is not valid",
      "chat.identity.invalid": "We could not confirm who you are. Reload the page and try again",
      "chat.identity.expired": "Your sign-in has expired. Reload the page and try again",
      transcript: "Email me the transcript", mailIt: "Send", sentTo: "The transcript was sent to {email}",
      "chat.transcript.email_invalid": "The e-mail address is not valid",
      "chat.transcript.no_mailbox": "We cannot send e-mail right now. Please try again later",
      "chat.busy": "We are very busy right now. Trying again in a moment…",
    },
  }[lang];
  const KEY = `hotline-chat:${origin}:${center}`;
  const load = () => { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch { return {}; } };
  const state = Object.assign({ outbox: [] }, load());
  const save = () => localStorage.setItem(KEY, JSON.stringify({
    conversation: state.conversation, token: state.token, outbox: state.outbox,
    profile: state.profile, ended: state.ended, rated: state.rated, open: state.open,
  }));
  // The last message this page shows: a reconnect reads after it, a reload from the start.
  let seen = 0;

  const css = `
  .hlc-button{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;
    padding:12px 18px;background:#1d6fdc;color:#fff;font:15px/1.2 system-ui,sans-serif;cursor:pointer;
    box-shadow:0 2px 10px rgba(0,0,0,.25)}
  .hlc-panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:360px;height:520px;
    max-height:calc(100vh - 40px);display:none;flex-direction:column;background:#fff;border-radius:12px;
    box-shadow:0 4px 24px rgba(0,0,0,.3);font:14px/1.45 system-ui,sans-serif;color:#222;overflow:hidden}
  .hlc-panel.hlc-open{display:flex}
  .hlc-head{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;
    background:#1d6fdc;color:#fff;font-weight:600}
  .hlc-head button{background:none;border:0;color:#fff;font-size:13px;cursor:pointer}
  .hlc-log{flex:1;overflow-y:auto;padding:10px;background:#f5f7fa}
  .hlc-msg{max-width:80%;margin:6px 0;padding:7px 10px;border-radius:10px;white-space:pre-wrap;
    word-break:break-word}
  .hlc-customer{margin-left:auto;background:#1d6fdc;color:#fff}
  .hlc-agent{background:#fff;border:1px solid #dde3ea}
  .hlc-bot{background:#f3f6fa;border:1px solid #dde3ea;white-space:pre-wrap}
  .hlc-system{margin:6px auto;background:none;color:#667;font-size:12px;text-align:center}
  .hlc-pending{opacity:.6}
  .hlc-msg img{display:block;max-width:100%;max-height:240px;border-radius:6px}
  .hlc-msg a{color:inherit}
  .hlc-panel .hlc-attach{border:1px solid #c8d0da;background:#fff;border-radius:6px;padding:0 9px;
    cursor:pointer}
  .hlc-status{min-height:18px;padding:0 12px;color:#667;font-size:12px}
  .hlc-form,.hlc-offline,.hlc-compose,.hlc-survey{display:flex;gap:6px;padding:10px;border-top:1px solid #e5e8ec}
  .hlc-form,.hlc-offline{flex-direction:column}
  .hlc-note{margin:0;color:#445}
  .hlc-greeting{margin:0;padding:10px 14px;background:#eef4fd;color:#223;white-space:pre-wrap}
  .hlc-panel .hlc-link{border:0;background:none;color:#1d6fdc;text-decoration:underline;cursor:pointer;
    padding:4px 10px;font:inherit;font-size:12px;text-align:left}
  .hlc-mail{display:flex;gap:6px;padding:0 10px 10px}
  .hlc-offline textarea{height:90px}
  .hlc-panel input,.hlc-panel textarea{flex:1;font:inherit;padding:7px 9px;border:1px solid #c8d0da;
    border-radius:6px}
  .hlc-panel textarea{resize:none;height:38px}
  .hlc-panel .hlc-primary{border:0;border-radius:6px;padding:7px 14px;background:#1d6fdc;color:#fff;
    cursor:pointer}
  .hlc-survey{flex-direction:column;overflow:auto;max-height:60%}
  .hlc-survey fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 8px}
  .hlc-survey legend{padding:0 0 4px;color:#223}
  .hlc-survey label{display:inline-flex;align-items:center;gap:3px}
  .hlc-panel .hlc-again{margin:0 10px 10px}
  @media (max-width:480px){.hlc-panel{right:0;bottom:0;width:100vw;height:100vh;max-height:none;
    border-radius:0}}`;
  const style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const button = el("button", "hlc-button", TEXT.open);
  button.type = "button";
  button.setAttribute("data-hotline-chat", "open");
  const panel = el("section", "hlc-panel");
  panel.setAttribute("lang", lang);
  panel.setAttribute("aria-label", TEXT.title);
  const head = el("div", "hlc-head");
  const leave = el("button", "", TEXT.leave);
  const hide = el("button", "", TEXT.close);
  head.append(el("span", "", TEXT.title), el("span", "", ""));
  head.lastChild.append(leave, hide);
  const log = el("div", "hlc-log");
  log.setAttribute("role", "log");
  const status = el("div", "hlc-status");
  status.setAttribute("aria-live", "polite");

  const form = el("form", "hlc-form");
  const nameIn = el("input"); nameIn.placeholder = TEXT.name; nameIn.maxLength = 100; nameIn.name = "name";
  const phoneIn = el("input"); phoneIn.placeholder = TEXT.phone; phoneIn.maxLength = 32; phoneIn.name = "phone";
  phoneIn.type = "tel";
  const emailIn = el("input"); emailIn.placeholder = TEXT.email; emailIn.maxLength = 254; emailIn.name = "email";
  emailIn.type = "email";
  const startBtn = el("button", "hlc-primary", TEXT.start); startBtn.type = "submit";
  // The centre's greeting, above the pre-chat form or the form to leave a message.
  const greeting = el("p", "hlc-greeting");
  greeting.hidden = true;
  form.append(nameIn, phoneIn, emailIn, startBtn);
  // The centre's pre-chat form (chat settings): each field hidden, optional or required.
  const PRECHAT = {
    name: [nameIn, TEXT.name, TEXT.name],
    phone: [phoneIn, TEXT.phone, TEXT.phoneRequired],
    email: [emailIn, TEXT.email, TEXT.emailRequired],
  };
  let prechat = { name: "optional", phone: "optional", email: "optional" };
  function drawPrechat(answer) {
    if (answer.prechat) prechat = answer.prechat;
    for (const [key, [input, optional, required]] of Object.entries(PRECHAT)) {
      const rule = prechat[key] || "optional";
      input.hidden = rule === "hidden";
      input.placeholder = rule === "required" ? required : optional;
      input.setAttribute("aria-required", rule === "required" ? "true" : "false");
    }
    greeting.textContent = answer.greeting || "";
  }
  function missingPrechat() {
    for (const [key, [input, , required]] of Object.entries(PRECHAT)) {
      if (prechat[key] === "required" && !input.value.trim()) return required;
    }
    return null;
  }

  // Offline: the message form (a ticket for the centre).
  const offline = el("form", "hlc-offline");
  const offNote = el("p", "hlc-note");
  const offName = el("input"); offName.placeholder = TEXT.name; offName.maxLength = 100; offName.name = "name";
  const offPhone = el("input"); offPhone.placeholder = TEXT.phone; offPhone.maxLength = 32; offPhone.name = "phone";
  offPhone.type = "tel";
  const offEmail = el("input"); offEmail.placeholder = TEXT.email; offEmail.maxLength = 254; offEmail.name = "email";
  offEmail.type = "email";
  const offBody = el("textarea"); offBody.placeholder = TEXT.message; offBody.maxLength = 4000; offBody.name = "body";
  const offSend = el("button", "hlc-primary", TEXT.leaveMessage); offSend.type = "submit";
  offline.append(offNote, offName, offPhone, offEmail, offBody, offSend);

  const compose = el("form", "hlc-compose");
  const text = el("textarea"); text.placeholder = TEXT.placeholder; text.name = "message";
  const send = el("button", "hlc-primary", TEXT.send); send.type = "submit";
  const fileIn = el("input"); fileIn.type = "file"; fileIn.hidden = true; fileIn.name = "file";
  const attach = el("button", "hlc-attach", TEXT.file); attach.type = "button";
  attach.title = TEXT.attach; attach.setAttribute("aria-label", TEXT.attach);
  attach.style.display = "none"; // until the welcome says files are taken
  compose.append(fileIn, attach, text, send);

  // The centre's end-of-chat survey, drawn from the `survey` frame (its questions in our language).
  const rating = el("form", "hlc-survey");
  let survey = null; // the questions asked
  const CHOICES = {
    satisfied: [[2, TEXT.satisfied], [1, TEXT.unsatisfied]],
    solved: [[2, TEXT.yes], [1, TEXT.no]],
  };
  function drawSurvey(frame) {
    survey = frame.questions;
    rating.textContent = "";
    rating.append(el("strong", "", frame.title));
    for (const q of survey) {
      const set = el("fieldset");
      set.dataset.key = q.key;
      set.append(el("legend", "", q.text));
      if (q.kind === "text") {
        const area = el("textarea"); area.name = `q_${q.key}`; area.maxLength = 2000;
        set.append(area);
      } else {
        const choices = CHOICES[q.kind] || [];
        if (!choices.length) for (let n = q.bottom; n <= q.top; n += 1) choices.push([n, String(n)]);
        for (const [value, label] of choices) {
          const pick = el("input"); pick.type = "radio"; pick.name = `q_${q.key}`; pick.value = String(value);
          const wrap = el("label"); wrap.append(pick, document.createTextNode(label));
          set.append(wrap);
        }
      }
      rating.append(set);
    }
    const submit = el("button", "hlc-primary", TEXT.rate); submit.type = "submit";
    rating.append(submit);
  }
  rating.addEventListener("submit", (event) => {
    event.preventDefault();
    const answers = {};
    for (const [key, value] of new FormData(rating)) {
      if (String(value).trim()) answers[key.slice(2)] = String(value).trim();
    }
    sendFrame({ type: "survey_answer", answers });
  });
  const again = el("button", "hlc-primary hlc-again", TEXT.again);
  again.type = "button";
  again.addEventListener("click", () => {
    if (ws) { const old = ws; ws = null; old.close(); }
    reset();
    state.profile = null;
    save();
    layout();
    checkAvailability();
  });
  // The transcript by e-mail, during the chat or after it.
  const askMail = el("button", "hlc-link", TEXT.transcript); askMail.type = "button";
  const mailForm = el("form", "hlc-mail");
  const mailIn = el("input"); mailIn.type = "email"; mailIn.name = "transcript_email"; mailIn.maxLength = 254;
  mailIn.placeholder = TEXT.email.replace(/（选填）| \(optional\)/, "");
  const mailBtn = el("button", "hlc-primary", TEXT.mailIt); mailBtn.type = "submit";
  mailForm.append(mailIn, mailBtn);
  mailForm.style.display = "none";
  askMail.addEventListener("click", () => {
    mailForm.style.display = mailForm.style.display === "none" ? "flex" : "none";
    if (!mailIn.value && state.profile && state.profile.email) mailIn.value = state.profile.email;
  });
  mailForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!mailIn.value.trim()) { status.textContent = TEXT["chat.transcript.email_invalid"]; return; }
    sendFrame({ type: "transcript", email: mailIn.value.trim() });
  });

  panel.append(head, greeting, log, status, form, offline, compose, rating, askMail, mailForm, again);
  document.body.append(button, panel);

  const shown = new Map(); // seq → element
  const pending = new Map(); // client_id → element
  let ws = null;
  let closedReason = null; // why nobody can chat now (the form to leave a message shows)
  let leftRef = null;
  let retry = 0;
  let busy = false; // the server said chat.busy: the next reconnect is a try again
  let typingTimer = null;
  let sendingFile = null; // the bubble of the file on its way

  const INLINE = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  function fileUrl(attachment) {
    const q = new URLSearchParams({ center, conversation: state.conversation, token: state.token });
    return `${origin}/api/v1/chat/visitor/files/${encodeURIComponent(attachment.id)}?${q}`;
  }
  function fileBody(node, attachment) {
    node.textContent = "";
    if (INLINE.includes(attachment.content_type)) {
      const img = el("img");
      img.src = fileUrl(attachment);
      img.alt = attachment.name;
      node.append(img);
    } else {
      const link = el("a", "", attachment.name);
      link.href = fileUrl(attachment);
      link.download = attachment.name;
      link.rel = "noopener";
      node.append(link);
    }
  }

  function layout() {
    const started = Boolean(state.conversation || state.profile);
    const away = !started && closedReason !== null;
    form.style.display = started || away ? "none" : "flex";
    greeting.hidden = started || !greeting.textContent;
    offline.style.display = away && leftRef === null ? "flex" : "none";
    offNote.textContent = away ? TEXT[closedReason] || TEXT.no_agents : "";
    compose.style.display = started && !state.ended ? "flex" : "none";
    rating.style.display = state.ended && !state.rated && survey ? "flex" : "none";
    leave.style.display = started && !state.ended ? "" : "none";
    again.style.display = state.ended ? "" : "none";
    askMail.style.display = state.conversation && ws ? "" : "none";
    if (askMail.style.display === "none") mailForm.style.display = "none";
  }

  function bubble(sender, body, cls) {
    const node = el("div", `hlc-msg hlc-${sender}${cls ? ` ${cls}` : ""}`, body);
    log.append(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function show(message) {
    if (shown.has(message.seq)) return;
    const mine = message.sender === "customer" ? pending.get(message.client_id) : null;
    let node = mine;
    if (node) {
      node.classList.remove("hlc-pending");
      pending.delete(message.client_id);
    } else {
      node = bubble(message.sender, message.body);
    }
    if (message.attachment) {
      fileBody(node, message.attachment);
      if (node === sendingFile) sendingFile = null;
    }
    node.dataset.seq = String(message.seq);
    shown.set(message.seq, node);
    if (message.seq > seen) seen = message.seq;
    if (message.sender === "agent") status.textContent = "";
  }

  function sendFrame(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function connect() {
    ws = new WebSocket(`${origin.replace(/^http/, "ws")}/api/v1/chat/visitor?center=${encodeURIComponent(center)}`);
    ws.addEventListener("open", () => {
      retry = 0;
      status.textContent = "";
      const hello = { type: "hello", language: lang, after_seq: seen, ...(state.profile || {}) };
      if (state.conversation) hello.resume = { conversation: state.conversation, token: state.token };
      else if (identity) hello.identity = identity;
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "welcome") {
        state.conversation = frame.conversation;
        state.token = frame.token;
        state.files = frame.files || null;
        attach.style.display = state.files ? "" : "none";
        save();
        layout();
        for (const item of state.outbox) sendFrame({ type: "say", client_id: item.client_id, body: item.body });
      } else if (frame.type === "message") {
        show(frame);
      } else if (frame.type === "ack") {
        state.outbox = state.outbox.filter((item) => item.client_id !== frame.client_id);
        save();
        const node = pending.get(frame.client_id);
        if (node && !shown.has(frame.seq)) {
          node.classList.remove("hlc-pending");
          node.dataset.seq = String(frame.seq);
          shown.set(frame.seq, node);
          pending.delete(frame.client_id);
          if (frame.seq > seen) seen = frame.seq;
        }
      } else if (frame.type === "typing") {
        status.textContent = TEXT.typing;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { status.textContent = ""; }, 4000);
      } else if (frame.type === "ended") {
        state.ended = true; save(); layout();
        status.textContent = TEXT.ended;
        if (!state.rated) sendFrame({ type: "survey" });
      } else if (frame.type === "survey") {
        if (frame.answered) { state.rated = true; save(); } else drawSurvey(frame);
        layout();
      } else if (frame.type === "offline") {
        // nobody to chat with after all: the form to leave a message instead
        closedReason = frame.reason || "no_agents";
        offName.value = (state.profile && state.profile.name) || "";
        offPhone.value = (state.profile && state.profile.phone) || "";
        offEmail.value = (state.profile && state.profile.email) || "";
        state.profile = null; save();
        const old = ws; ws = null; old.close();
        layout();
      } else if (frame.type === "transcript_sent") {
        mailForm.style.display = "none";
        status.textContent = TEXT.sentTo.replace("{email}", frame.email);
      } else if (frame.type === "survey_thanks") {
        state.rated = true; save(); layout();
        status.textContent = TEXT.thanks;
      } else if (frame.type === "error") {
        if (frame.field === "resume") { reset(); return; }
        // no new chat now: the server closes this socket and the reconnect below tries again
        if (frame.code === "chat.busy") { busy = true; status.textContent = TEXT[frame.code]; return; }
        if (!state.conversation && PRECHAT[frame.field]) {
          // the centre's pre-chat form asks for this field: back to the form, naming it
          state.profile = null; save();
          const old = ws; ws = null; if (old) old.close();
          layout();
          status.textContent = TEXT.need.replace("{f}", PRECHAT[frame.field][2]);
          return;
        }
        if (frame.field === "identity") {
          // forged or expired: no chat opened; the page must fetch a new token
          state.profile = null; save();
          const old = ws; ws = null; if (old) old.close();
          layout();
          status.textContent = TEXT[frame.code] || TEXT["chat.identity.invalid"];
          return;
        }
        if (frame.code === "quality.link.used") {
          state.rated = true; save(); layout();
          status.textContent = TEXT[frame.code];
          return;
        }
        if (frame.code.startsWith("quality.survey.") && survey) {
          const q = survey.find((item) => item.key === frame.field);
          status.textContent = (TEXT[frame.code] || TEXT["quality.survey.answer_invalid"]).replace("{q}", q ? q.text : frame.field);
          return;
        }
        if (TEXT[frame.code]) {
          if (sendingFile && frame.code.startsWith("chat.file.")) { pending.delete(sendingFile.dataset.clientId); sendingFile.remove(); sendingFile = null; }
          status.textContent = TEXT[frame.code];
          return;
        }
        status.textContent = frame.message;
      }
    });
    const socket = ws;
    ws.addEventListener("close", () => {
      if (ws !== socket) return; // replaced on purpose (a new chat)
      ws = null;
      if (state.ended) return;
      if (!state.conversation && !state.profile) return;
      status.textContent = busy ? TEXT["chat.busy"] : TEXT.offline;
      busy = false;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 300 * 2 ** retry);
    });
  }

  /** One frame on a short-lived socket, and the server's first answer to it. */
  function probe(frame) {
    return new Promise((resolve) => {
      const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/api/v1/chat/visitor?center=${encodeURIComponent(center)}`);
      socket.addEventListener("open", () => socket.send(JSON.stringify(frame)));
      socket.addEventListener("message", (event) => { resolve(JSON.parse(event.data)); socket.close(); });
      socket.addEventListener("close", () => resolve(null));
    });
  }

  async function checkAvailability() {
    if (state.conversation || state.profile) return;
    const answer = await probe({ type: "availability", language: lang });
    if (answer && answer.type === "availability") {
      closedReason = answer.online ? null : answer.reason;
      drawPrechat(answer);
      layout();
    }
  }

  offline.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = offBody.value.trim();
    if (!body) { status.textContent = TEXT.needBody; return; }
    if (!offPhone.value.trim() && !offEmail.value.trim()) { status.textContent = TEXT.needContact; return; }
    offSend.disabled = true;
    const answer = await probe({
      type: "leave_message", language: lang, body,
      name: offName.value.trim() || undefined, phone: offPhone.value.trim() || undefined,
      email: offEmail.value.trim() || undefined,
    });
    offSend.disabled = false;
    if (answer && answer.type === "left") {
      leftRef = answer.reference;
      offline.reset();
      status.textContent = TEXT.left.replace("{ref}", leftRef);
      layout();
    } else {
      const field = answer && answer.field;
      status.textContent = field === "phone" ? TEXT.needContact : field === "body" ? TEXT.needBody
        : field === "email" ? TEXT.badEmail : TEXT.offline;
    }
  });

  function reset() {
    Object.assign(state, { conversation: null, token: null, ended: false, rated: false, outbox: [] });
    survey = null;
    seen = 0;
    save();
    log.textContent = "";
    shown.clear();
    pending.clear();
    layout();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const missing = identity ? null : missingPrechat(); // a signed visitor is known already
    if (missing) { status.textContent = TEXT.need.replace("{f}", missing); return; }
    status.textContent = "";
    state.profile = {
      name: nameIn.value.trim() || undefined,
      phone: phoneIn.value.trim() || undefined,
      email: emailIn.value.trim() || undefined,
    };
    state.ended = false;
    save();
    layout();
    connect();
  });

  compose.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    if (body.length > 4000) { status.textContent = TEXT.tooLong; return; }
    const clientId = `v-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    state.outbox.push({ client_id: clientId, body });
    save();
    pending.set(clientId, bubble("customer", body, "hlc-pending"));
    text.value = "";
    sendFrame({ type: "say", client_id: clientId, body });
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      compose.requestSubmit();
    }
  });
  text.addEventListener("input", () => sendFrame({ type: "typing" }));
  attach.addEventListener("click", () => fileIn.click());
  fileIn.addEventListener("change", () => {
    const file = fileIn.files[0];
    fileIn.value = "";
    if (!file || !state.files || !ws || ws.readyState !== WebSocket.OPEN) return;
    const kind = (file.type || "application/octet-stream").toLowerCase();
    // the server checks again; this spares the visitor an upload it would refuse
    if (file.size === 0) { status.textContent = TEXT["chat.file.empty"]; return; }
    if (file.size > state.files.max_bytes) { status.textContent = TEXT["chat.file.too_large"]; return; }
    if (!state.files.types.includes(kind)) { status.textContent = TEXT["chat.file.type"]; return; }
    const clientId = `f-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    sendingFile = bubble("customer", `${TEXT.sending} ${file.name}`, "hlc-pending");
    sendingFile.dataset.clientId = clientId;
    pending.set(clientId, sendingFile);
    status.textContent = "";
    ws.send(JSON.stringify({ type: "file", client_id: clientId, name: file.name, content_type: kind, size: file.size }));
    ws.send(file);
  });
  leave.addEventListener("click", () => sendFrame({ type: "leave" }));
  // Open or folded, as the visitor left it: a reload mid-chat (or after it, with the survey
  // waiting) shows the panel again instead of hiding the conversation behind the button.
  function fold(open) {
    panel.classList.toggle("hlc-open", open);
    button.style.display = open ? "none" : "";
    state.open = open;
    save();
  }
  button.addEventListener("click", () => {
    fold(true);
    checkAvailability();
  });
  hide.addEventListener("click", () => fold(false));

  layout();
  if (state.open && (state.conversation || state.profile)) fold(true);
  if (state.conversation) {
    for (const item of state.outbox) pending.set(item.client_id, bubble("customer", item.body, "hlc-pending"));
    connect();
  }
})();
