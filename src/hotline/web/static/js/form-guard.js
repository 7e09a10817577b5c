// Every form of these pages is sent by its page's script. Before that script runs (and while the
// workspace changes screens) a native submission would leave the page: a GET with the fields,
// passwords too, in the address, and on the desktop the end of the call. So a form goes out
// natively only when it says how with a method attribute (a dialog's, the public survey's).
// A classic script in <head>: it listens before any form exists.
document.addEventListener(
  "submit",
  (event) => {
    if (event.target instanceof HTMLFormElement && !event.target.hasAttribute("method")) {
      event.preventDefault();
    }
  },
  true,
);
