import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/classify/extract.js';
import { threadFromTest } from '../../src/rules/selftest.js';

function facts(subject: string, text: string, from = 'Marta Solís <marta.solis@ventolera.example>') {
  return extractFacts(threadFromTest({ name: 't', origin: 'test', messages: [{ from, subject, text }], expect: { stage: 'applied' } } as never));
}

describe('role from the subject in other languages', () => {
  it('takes the title after the words that introduce it', () => {
    expect(facts('Ihre Bewerbung als Data Engineer (m/w/d)', 'Vielen Dank für Ihr Interesse.').role).toBe('Data Engineer (m/w/d)');
    expect(facts('Nog interesse in de functie Data-consultant?', 'Laat je het weten?').role).toBe('Data-consultant');
  });
  it('reads a non-English job noun in a dash-separated subject', () => {
    expect(facts('Convite para entrevista - Analista de Sistemas Pleno', 'Olá, gostaríamos de conversar.').role).toBe('Analista de Sistemas Pleno');
    expect(facts('Proposition d\'embauche - Analyste financière', 'Bonjour, veuillez trouver ci-joint.').role).toBe('Analyste financière');
  });
  it('cuts the employer after bij/bei/chez', () => {
    expect(facts('Aanbod: Product Analyst bij Zeewind Energie', 'Hierbij ons aanbod.').role).toBe('Product Analyst');
  });
});

describe('a place or employer after the title', () => {
  it('drops a city the thread places the job in, or an organisation name', () => {
    expect(facts('Offer - Night Manager, Tromsø', 'We are pleased to offer you the Night Manager, Tromsø role, based in Tromsø.').role).toBe('Night Manager');
    expect(facts('Interview - Spa Director, Fjordline Hotel', 'We would like to meet you.').role).toBe('Spa Director');
  });
  it('keeps a team named after the comma', () => {
    expect(facts('Next steps', 'We are delighted to offer you the Senior Product Manager, Payments role.').role).toBe('Senior Product Manager, Payments');
  });
  it('ends a title at its sentence', () => {
    expect(facts('Application received', 'Thanks for applying for the position of Group Finance Manager. We will review it.').role).toBe('Group Finance Manager');
  });
});
