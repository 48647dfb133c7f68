// Word lists for made-up people. A few names carry accents and apostrophes on purpose: real
// directories do, and clients that mangle them should find out here, not in production.
export const GIVEN_NAMES = [
  'Adele', 'Alex', 'Allan', 'Anaïs', 'Ben', 'Bianca', 'Carlos', 'Chen', 'Chloé', 'Christie', 'Daniel',
  'Debra', 'Diego', 'Dmitri', 'Emily', 'Enrico', 'Fatima', 'François', 'Grady', 'Hannah', 'Henrietta',
  'Isaiah', 'Ingrid', 'Jakob', 'Johanna', 'Joni', 'José', 'Kenji', 'Lara', 'Lee', 'Lidia', 'Lynne',
  'Mei', 'Megan', 'Miriam', 'Nestor', 'Nia', 'Noah', 'Olga', 'Omar', 'Patti', 'Pradeep', 'Priya',
  'Raúl', 'Rohan', 'Sakura', 'Sam', 'Siobhán', 'Sofia', 'Tariq', 'Thandiwe', 'Tomás', 'Uma', 'Vikram',
  'Wei', 'Xavier', 'Yara', 'Yusuf', 'Zainab', 'Zoë',
] as const;

export const SURNAMES = [
  'Vance', 'Wilber', 'Deyoung', 'Gomez', 'Walters', 'Patel', 'Nguyen', 'Müller', "O'Brien", 'García',
  'Kowalski', 'Johansson', 'Okafor', 'Tanaka', 'Smith', 'Lee', 'Brown', 'Martin', 'Rossi', 'Novak',
  'Hernández', 'Sato', 'Kim', 'Singh', 'Ivanova', 'Dubois', 'Schmidt', 'Andersen', 'Silva', 'Cohen',
  'Haddad', 'Mensah', 'Zhang', 'Wang', 'Das', 'Ahmed', 'Murphy', 'Fischer', 'van der Berg', 'Mbeki',
  'Larsen', 'Costa', 'Yilmaz', 'Popescu', 'Nakamura', 'Bianchi', 'Khan', 'Jones', 'Moreau', 'Reyes',
] as const;

export const DEPARTMENTS = [
  'Engineering', 'Sales', 'Marketing', 'Finance', 'Human Resources', 'Legal', 'Operations',
  'Customer Success', 'Research & Development', 'IT', 'Procurement', 'Product',
] as const;

export const MANAGER_TITLES = ['Director', 'Senior Manager', 'Manager', 'Team Lead', 'Vice President'] as const;

export const STAFF_TITLES = [
  'Software Engineer', 'Senior Software Engineer', 'Account Executive', 'Marketing Specialist',
  'Financial Analyst', 'HR Generalist', 'Paralegal', 'Operations Analyst', 'Support Engineer',
  'Research Scientist', 'Systems Administrator', 'Buyer', 'Product Manager', 'Designer',
  'Data Analyst', 'Recruiter',
] as const;

export const OFFICES = [
  'Redmond 18/2101', 'London 4/12', 'Bengaluru Tower B/7', 'São Paulo 3', 'Tokyo 21F', 'Berlin Mitte 2',
  'Remote', 'Dublin One', 'Sydney 9/44', 'Toronto 17', 'Nairobi 5', 'New York 32/3200',
] as const;
