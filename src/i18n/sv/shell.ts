/** Swedish texts: the page shell (layout, navigation). */
export const shell = {
  skip: "Hoppa till innehållet",
  brand: "NKI kundcenter",
  nav: "Huvudmeny",
  me: "Mina resultat",
  overview: "Översikt",
  queue: "Lyssningskö",
  search: "Sök",
  weekly: "Veckorapport",
  period: "Tertialrapport",
  admin: "Administration",
  audit: "Granskningslogg",
  signOut: "Logga ut",
  signedInAs: "Inloggad som",
  otherLang: "English",
  otherLangCode: "en",
  roles: { admin: "administratör", manager: "enhetschef", agent: "kommunvägledare" },
};
