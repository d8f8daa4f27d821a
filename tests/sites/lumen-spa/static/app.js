// A client-rendered app: the content arrives by XHR after a short delay and every route is
// drawn in the browser (history.pushState), as single-page apps built with React or Vue do.
(function () {
  var NAV = [["/", "Home"], ["/features", "Features"], ["/pricing", "Pricing"],
             ["/faq", "FAQ"], ["/about", "About"], ["/contact", "Contact"]];

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    return node;
  }

  function nav() {
    var bar = el("nav");
    NAV.forEach(function (item) {
      var link = el("a", item[1], {href: item[0]});
      link.addEventListener("click", function (event) {
        event.preventDefault();
        history.pushState({}, "", item[0]);
        draw(window.SITE);
      });
      bar.appendChild(link);
    });
    return bar;
  }

  function sections(main, route) {
    (route.sections || []).forEach(function (s) {
      var section = el("section");
      section.appendChild(el("h2", s.h));
      section.appendChild(el("p", s.p));
      main.appendChild(section);
    });
    (route.cards || []).forEach(function (c) {
      var card = el("div", "", {"class": "plan"});
      card.appendChild(el("h3", c.h));
      card.appendChild(el("p", c.price, {"class": "price"}));
      card.appendChild(el("p", c.p));
      main.appendChild(card);
    });
    (route.faq || []).forEach(function (f) {
      var item = el("details");
      item.appendChild(el("summary", f.q));
      item.appendChild(el("p", f.a));
      main.appendChild(item);
    });
    if (route.contact) {
      var c = route.contact, list = el("ul");
      var mail = el("li"); mail.appendChild(el("a", c.email, {href: "mailto:" + c.email}));
      var phone = el("li"); phone.appendChild(el("a", c.phone, {href: "tel:" + c.phone.replace(/ /g, "")}));
      list.appendChild(mail); list.appendChild(phone); list.appendChild(el("li", c.address));
      main.appendChild(list);
    }
  }

  function draw(site) {
    var route = site.routes[location.pathname] || site.routes["/"];
    document.title = route.title + " | " + site.name;
    var root = document.getElementById("root");
    root.innerHTML = "";
    var header = el("header");
    header.appendChild(el("a", site.name, {href: "/", "class": "brand"}));
    header.appendChild(nav());
    var main = el("main");
    main.appendChild(el("h1", route.title));
    main.appendChild(el("p", site.tagline, {"class": "lead"}));
    sections(main, route);
    var footer = el("footer", "© 2024 " + site.name);
    root.appendChild(header); root.appendChild(main); root.appendChild(footer);
  }

  window.addEventListener("popstate", function () { draw(window.SITE); });
  setTimeout(function () {
    var request = new XMLHttpRequest();
    request.open("GET", "/api/site.json");
    request.onload = function () { window.SITE = JSON.parse(request.responseText); draw(window.SITE); };
    request.send();
  }, 50);
})();
