/**
 * Trellis's demo programme: a year of a fictional Oxfordshire multi-agency
 * safeguarding partnership's training, built around one real listing
 * ("Trauma Informed Co-Production", reproduced as the hub published it).
 *
 * Every other course, trainer and venue is invented for the demo. Venue phone
 * numbers are in Ofcom's reserved drama range (01632 960xxx).
 */
import type { DemoAudience, DemoCourse, DemoProgramme, DemoTopic, DemoTrainer, DemoVenue } from './types.js';

/** Joins Markdown paragraphs. */
const md = (...paragraphs: string[]): string => paragraphs.join('\n\n');

const STEP_OUT =
  'You can step out at any time without explaining why, and come back when you are ready. You never have to share anything personal.';

const ONLINE_JOINING =
  'For online dates you need a device with a microphone and, ideally, a camera, and somewhere you can talk privately. The joining link appears in your booking once your place is confirmed.';

// ---------------------------------------------------------------------------
// Topics and audiences
// ---------------------------------------------------------------------------

const topics: DemoTopic[] = [
  { slug: 'trauma-informed-practice', name: 'Trauma-informed practice' },
  { slug: 'child-protection', name: 'Child protection' },
  { slug: 'adult-safeguarding', name: 'Adult safeguarding' },
  { slug: 'domestic-abuse', name: 'Domestic abuse' },
  { slug: 'exploitation', name: 'Exploitation and modern slavery' },
  { slug: 'mental-capacity', name: 'Mental capacity' },
  { slug: 'neglect', name: 'Neglect and self-neglect' },
  { slug: 'mental-health', name: 'Mental health and suicide prevention' },
  { slug: 'prevent', name: 'Prevent and radicalisation' },
  { slug: 'practice-skills', name: 'Safeguarding practice skills' },
];

const audiences: DemoAudience[] = [
  { slug: 'all-practitioners', name: 'All practitioners' },
  { slug: 'social-care', name: 'Social care' },
  { slug: 'health', name: 'Health' },
  { slug: 'police', name: 'Police and criminal justice' },
  { slug: 'education', name: 'Education and early years' },
  { slug: 'voluntary-sector', name: 'Voluntary and community sector' },
];

// ---------------------------------------------------------------------------
// Venues
// ---------------------------------------------------------------------------

const venues: DemoVenue[] = [
  {
    slug: 'westgate-collaboration-space',
    name: 'Westgate Collaboration Space',
    addressLines: ['Oxford Westgate Library', '228 The Westgate', 'Queen Street'],
    town: 'Oxford',
    postcode: null,
    phone: '01865 815509',
    travelNotes:
      'The Westgate Collaboration Space is located above the Oxford County Library in Westgate (Oxford City Centre). There is no formal parking so delegates are advised to use the Park & Ride or various city centre car parks.',
    accessNotes:
      'The Collaboration Space is on an upper floor of the library building. If you have any access needs, please tell us when you book and the training team will confirm the arrangements with the venue before the day.',
  },
  {
    slug: 'cherwell-learning-centre',
    name: 'Cherwell Learning Centre',
    addressLines: ['Ironstone House', '7 Canalside Walk'],
    town: 'Banbury',
    postcode: 'OX16 5ZT',
    phone: '01632 960114',
    travelNotes: md(
      'Banbury railway station is about ten minutes’ walk away, and the town centre bus station about five minutes.',
      'The centre has no car park of its own. The nearest pay and display car park is on Canalside Walk, two minutes away. There are two Blue Badge bays at the front entrance, which cannot be reserved.',
    ),
    accessNotes: md(
      'Step-free entrance with automatic doors, and a lift to the first-floor training room. A hearing loop is fitted in the training room.',
      'Accessible toilets on both floors. A small quiet room is available all day; ask at reception.',
    ),
  },
  {
    slug: 'thameside-training-rooms',
    name: 'Thameside Training Rooms',
    addressLines: ['Riverside Community Centre', '3 Thameside Row'],
    town: 'Abingdon',
    postcode: 'OX14 3YQ',
    phone: '01632 960271',
    travelNotes: md(
      'Free parking for about 30 cars on site. It fills quickly on training days, so please car share where you can. Overflow parking is at the pay and display car park on Thameside Row.',
      'Abingdon has no railway station: the nearest are Radley and Didcot Parkway. Frequent buses from Oxford stop in the town centre, about ten minutes’ walk away.',
    ),
    accessNotes: md(
      'All training rooms are on the ground floor with level access from the car park. Accessible toilet with baby change.',
      'A portable hearing loop is available; please ask on arrival. A quiet room next to the main hall can be used at any time.',
    ),
  },
  {
    slug: 'brunel-community-hub',
    name: 'Brunel Community Hub',
    addressLines: ['12 Fairweather Road'],
    town: 'Didcot',
    postcode: 'OX11 7XP',
    phone: '01632 960358',
    travelNotes: md(
      'About ten minutes’ walk from Didcot Parkway station, which has direct trains from Oxford, Reading and London Paddington.',
      'Limited free parking on site, including three Blue Badge bays. Further parking is available at the station car park (charges apply).',
    ),
    accessNotes: md(
      'Step-free throughout, with automatic doors and a lift. Hearing loops in the main hall and the training room. Accessible toilets on both floors.',
      'A quiet room is on the first floor, next to the training room.',
    ),
  },
  {
    slug: 'weavers-court-meeting-rooms',
    name: 'Weavers Court Meeting Rooms',
    addressLines: ['Weavers Court', '19 Millbank Lane'],
    town: 'Witney',
    postcode: 'OX28 6XB',
    phone: '01632 960482',
    travelNotes: md(
      'Witney has no railway station; the nearest are Hanborough and Oxford. Regular buses from Oxford stop in the town centre, about five minutes’ walk away.',
      'The Millbank Lane long-stay car park is next door (pay and display; free two-hour car parks in the town centre are too short for a full-day course).',
    ),
    accessNotes: md(
      'The training room is on the first floor, with a lift. A hearing loop is fitted. Accessible toilet on the ground floor.',
      'A small breakout room next to the training room can be used as a quiet room.',
    ),
  },
  {
    slug: 'priory-fields-family-centre',
    name: 'Priory Fields Family Centre',
    addressLines: ['The Orchard Room', '6 Priory Fields'],
    town: 'Bicester',
    postcode: 'OX26 2ZR',
    phone: '01632 960537',
    travelNotes: md(
      'Bicester Village and Bicester North stations are each about fifteen minutes’ walk away. Buses from Oxford stop in the town centre, ten minutes’ walk away.',
      'Free parking on site for about 20 cars; please car share where you can.',
    ),
    accessNotes: md(
      'A single-storey building with level access throughout. Accessible toilet. A hearing loop is fitted in the Orchard Room.',
      'A quiet room is available. The centre also runs services for families, so please keep to the signed training area.',
    ),
  },
];

// ---------------------------------------------------------------------------
// Trainers
// ---------------------------------------------------------------------------

const trainers: DemoTrainer[] = [
  {
    slug: 'lisa-cherry',
    name: 'Lisa Cherry',
    roleTitle: 'Author, Researcher and International Trauma Trainer and Consultant',
    biography: md(
      'Lisa Cherry is an author, researcher, trainer and consultant who works on trauma, recovery and trauma-informed practice.',
      'She writes, researches and trains with organisations in the UK and internationally, with a particular interest in co-production: designing and delivering services with the people who use them, rather than for them.',
      'Lisa is an external trainer, invited by the partnership.',
    ),
    isExternal: true,
  },
  {
    slug: 'amara-okafor',
    name: 'Amara Okafor',
    roleTitle: 'Safeguarding Partnership Training Lead',
    biography: md(
      'Amara is a registered social worker. She spent twelve years in children’s services, in child protection, family support and the multi-agency safeguarding hub, before joining the partnership to lead its training programme.',
      'She designs and delivers the partnership’s practice-skills courses and is especially interested in how practitioners keep a child’s day-to-day experience in view when a family is under pressure.',
    ),
    isExternal: false,
  },
  {
    slug: 'gareth-pryce',
    name: 'Gareth Pryce',
    roleTitle: 'Independent Trainer and former Detective Sergeant',
    biography: md(
      'Gareth served as a police officer for over twenty years, the last eight in a child exploitation and missing persons team working alongside social workers and youth workers.',
      'He now trains partnerships, schools and health teams on exploitation, county lines and modern slavery. Delegates describe his style as plain-speaking and practical.',
    ),
    isExternal: true,
  },
  {
    slug: 'priya-raman',
    name: 'Priya Raman',
    roleTitle: 'Consultant Practitioner, Adult Safeguarding',
    biography: md(
      'Priya is a social worker with a background in adult social care and hospital discharge. She has led section 42 enquiries and now advises teams across the partnership on complex adult safeguarding work.',
      'She leads the partnership’s working group on self-neglect and hoarding, and is a strong advocate of Making Safeguarding Personal.',
    ),
    isExternal: false,
  },
  {
    slug: 'helen-mcallister',
    name: 'Helen McAllister',
    roleTitle: 'Named Nurse for Safeguarding Children',
    biography: md(
      'Helen trained as a children’s nurse and worked as a health visitor for many years before becoming a named nurse for safeguarding children in a community health trust.',
      'She is a licensed Graded Care Profile 2 trainer and co-delivers the partnership’s neglect and family engagement courses.',
    ),
    isExternal: true,
  },
  {
    slug: 'tomasz-nowak',
    name: 'Tomasz Nowak',
    roleTitle: 'Domestic Abuse Training Coordinator',
    biography: md(
      'Tomasz worked as an Independent Domestic Violence Adviser in a specialist service for seven years, supporting victims at high risk and representing them at MARAC.',
      'He joined the partnership to coordinate its domestic abuse training and to support agencies in developing their own domestic abuse policies.',
    ),
    isExternal: false,
  },
  {
    slug: 'ruth-adeyemi',
    name: 'Ruth Adeyemi',
    roleTitle: 'Independent Mental Capacity Act Trainer',
    biography: md(
      'Ruth is a social worker and former Best Interests Assessor who has worked in learning disability, older people’s and hospital teams.',
      'She now trains health and social care staff on the Mental Capacity Act, with a focus on decision-specific assessments and clear recording.',
    ),
    isExternal: true,
  },
  {
    slug: 'callum-fraser',
    name: 'Callum Fraser',
    roleTitle: 'Prevent Education Officer',
    biography: md(
      'Callum has a background in youth work and community development. As a Prevent education officer he works with schools, colleges, health services and voluntary groups across the county.',
      'He aims to help practitioners respond to concerns about radicalisation in proportion, as they would any other safeguarding concern.',
    ),
    isExternal: true,
  },
  {
    slug: 'sian-howell',
    name: 'Siân Howell',
    roleTitle: 'Learning and Development Officer',
    biography: md(
      'Siân coordinated volunteers in a children’s charity for ten years before joining the partnership’s training team.',
      'She runs the partnership’s introductory courses for volunteers and community groups, and co-delivers the neglect course.',
    ),
    isExternal: false,
  },
  {
    slug: 'farid-hussain',
    name: 'Farid Hussain',
    roleTitle: 'Mental Health Nurse and Suicide Prevention Trainer',
    biography: md(
      'Farid is a registered mental health nurse who has worked in community mental health and crisis teams.',
      'He now delivers suicide prevention training to frontline staff and volunteers, and believes that anyone can learn to ask the question and listen to the answer.',
    ),
    isExternal: true,
  },
  {
    slug: 'joseph-mensah',
    name: 'Joseph Mensah',
    roleTitle: 'Clinical Lead, Harmful Sexual Behaviour Service',
    biography: md(
      'Joseph leads a specialist therapeutic service for children and young people who display harmful sexual behaviour, and their families.',
      'He works closely with schools, social workers and the police, and trains practitioners to respond to sexual behaviour in proportion and without labelling children.',
    ),
    isExternal: true,
  },
];

// ---------------------------------------------------------------------------
// Courses
// ---------------------------------------------------------------------------

/** The hub's real listing, reproduced as published. */
const traumaInformedCoProduction: DemoCourse = {
  slug: 'trauma-informed-co-production',
  title: 'Trauma Informed Co-Production',
  summary:
    'Why meaningful co-production matters when people accessing services have experienced trauma, and how to do ‘with’ rather than ‘to’. A one-day course with Lisa Cherry.',
  description: md(
    'Have the people accessing your service experienced trauma? Do you feel that you and they would benefit if you knew more about the importance of meaningful co-production of the services people access when seeking help where trauma has been experienced? Would you like to learn more about how services that are over professionalised impacts them accessing your service? If you answered yes, you are not alone. That is why we have invited Lisa Cherry, Author, Researcher and International Trauma Trainer and Consultant, to speak to you about understanding Trauma Informed Co-Production.',
    'It offers a chance to hear from a highly regarded authority on trauma about how we can improve our relationship, interactions and overall care for people who have experienced trauma and the way that we approach people accessing services. In understanding how mono perspectives, can enforce, re-enforce, and also create and add to additional power dynamics. In this course, we will begin to understand that this is very much at odds with working with a trauma informed lens and that multiple perspectives bring the gift of wisdom to service development and service delivery. In other words, we seek to do ‘with’ not do ‘to.’ Research suggests that co-production, when done well, can empower, heal, and build capacity for people who may find services trauma inducing.',
    'The course is designed to help frontline workers understand the importance of co-production and co-creation when working within a trauma informed framework.',
  ),
  audience:
    'Frontline workers in any agency who support people who have experienced trauma, and anyone involved in designing or improving services.',
  audiences: ['all-practitioners', 'social-care', 'health', 'voluntary-sector'],
  topics: ['trauma-informed-practice', 'practice-skills'],
  level: 'intermediate',
  contentNotes: md(
    'This course talks about trauma and about the ways services can add to harm. It may bring up memories of your own experiences, personal or professional. Discussion is about practice, and you do not have to share anything personal.',
    `There is a break mid-morning, a lunch break and a short break mid-afternoon. ${STEP_OUT}`,
    'If you would like to talk about whether the course is right for you at the moment, or about any adjustments, contact the training team before the day. On the day, the trainer and a member of the training team are available at every break.',
  ),
  cpdHours: 5,
  practicalNotes:
    'Teas, coffees and biscuits will be provided, however, delegates will need to bring their own lunch. There are many shops and cafes in Oxford city centre/Westgate for delegates to purchase lunch during the break if they prefer.',
  keyAreas: [
    'Introduction to understanding co-production',
    'Exploring the impact of positionality',
    'Methods we can use',
    'Creating a co-production project',
  ],
  learningOutcomes: [
    'Identify and think operationally about the trauma informed principles in practice.',
    'Explain the difference between consultation, participation, and co-production',
    'Explore what co-production might look like in their setting',
    'Identify trauma informed principles within co-production practices',
    'Identify different ways that co-production can be misunderstood that can cause harm and why',
    'Describe how being done ‘to’ rather than being ‘with’ can affect access to services.',
    'Describe different methods of co-production wisdom gathering.',
    'Understand ways that power can be shared and redistributed in the process of co-production.',
    'Begin to ensure that diverse skills that harness different strengths and courage are drawn upon.',
    'Identify strategies to collectively care for all those involved.',
  ],
  testimonials: [
    {
      quote: 'Lisa was very engaging and she made delegates feel comfortable with speaking up.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { date: '2024-11-25' },
      parts: [{ dayOffset: 0, start: '09:30', end: '15:30' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['lisa-cherry'],
      capacity: 40,
      confirmed: 40,
      registerLeftUnmarked: true,
    },
    {
      when: { weeksAhead: 5, weekday: 1 },
      parts: [{ dayOffset: 0, start: '09:30', end: '15:30' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['lisa-cherry'],
      capacity: 40,
      confirmed: 34,
    },
    {
      when: { weeksAhead: 14, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '15:30' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['lisa-cherry'],
      capacity: 40,
      confirmed: 9,
    },
  ],
};

const thinkFamily: DemoCourse = {
  slug: 'think-family',
  title: 'Think Family: Seeing the Whole Household',
  summary:
    'Why a parent’s mental ill health, substance use or experience of domestic abuse is never only an adult’s issue, and how adult and children’s services can work together around the whole family.',
  description: md(
    'When you work with one person, how often do you know who else lives in their home? Would you know what to do if an adult you support is caring for a child, or a child you work with is caring for an adult?',
    'Think Family is a way of working that looks beyond the person in front of you to the household around them. Parental mental ill health, problematic drug and alcohol use and domestic abuse rarely affect only one person. Safeguarding reviews, locally and nationally, keep finding that adult and children’s services each held part of the same picture without putting it together.',
    'This half-day course is for practitioners in adult and children’s services alike. It follows a fictional family through several agencies to practise asking about the whole household, recognising young carers and sharing information at the right time.',
  ),
  audience:
    'Anyone who works with adults who are parents or carers, or with children and young people, in any agency.',
  audiences: ['all-practitioners', 'social-care', 'health', 'education'],
  topics: ['child-protection', 'adult-safeguarding', 'practice-skills'],
  level: 'foundation',
  contentNotes: md(
    'We discuss the effect of parental mental ill health, substance use and domestic abuse on children, using a fictional case study. Some of this may be close to home; you do not have to share personal experience.',
    `There is a break halfway through. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 3,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions. The course finishes at 12:30, so lunch is not included.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'What Think Family means and why it matters',
    'The impact of parental mental ill health, substance use and domestic abuse on children',
    'Young carers and hidden harm',
    'Information sharing and joint working between adult and children’s services',
  ],
  learningOutcomes: [
    'Explain what a Think Family approach is and how it applies to their own role',
    'Describe how parental mental ill health, substance use and domestic abuse can affect children at different ages',
    'Recognise signs that a child or young person may be a young carer',
    'Ask respectful questions about who lives in, and visits, a household',
    'Identify when and how to share information with another service, and record the reason',
    'Find the local routes to early help and to a joint response',
  ],
  testimonials: [
    {
      quote:
        'I work in adult mental health and I had never really asked about the children. I now ask at every first appointment.',
      attribution: 'Community psychiatric nurse',
    },
    {
      quote: 'The case study felt real, and it was useful to hear how schools see the same family.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { date: '2025-09-16' },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'cherwell-learning-centre',
      trainers: ['amara-okafor'],
      capacity: 30,
      confirmed: 29,
    },
    {
      when: { weeksAhead: 2, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'cherwell-learning-centre',
      trainers: ['amara-okafor'],
      capacity: 30,
      confirmed: 12,
    },
    {
      when: { weeksAhead: 19, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'online',
      trainers: ['amara-okafor'],
      capacity: 50,
      confirmed: 8,
    },
    {
      when: { weeksAhead: 35, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'weavers-court-meeting-rooms',
      trainers: ['amara-okafor'],
      capacity: 25,
      confirmed: 0,
    },
  ],
};

const domesticAbuse: DemoCourse = {
  slug: 'domestic-abuse-coercive-control',
  title: 'Domestic Abuse, Coercive Control and the DASH Risk Checklist',
  summary:
    'Recognising domestic abuse and coercive control, using the DASH risk checklist with confidence, and knowing when and how to refer to MARAC.',
  description: md(
    'Would you recognise coercive control if there were no visible injuries? Do you know what to do when someone tells you about abuse at home, and how to judge how serious the risk is?',
    'The Domestic Abuse Act 2021 gave domestic abuse a statutory definition that includes controlling or coercive behaviour, economic abuse and psychological abuse, and recognised children who see, hear or experience its effects as victims in their own right. Yet coercive control is still often missed, because each incident on its own can look small.',
    'This full-day course looks at the patterns behind abusive behaviour, the barriers people face in telling anyone, and how to ask about abuse safely. It introduces the Domestic Abuse, Stalking, Harassment and Honour-based violence (DASH) risk checklist: how to complete it with someone rather than about them, and what happens after a referral to the Multi-Agency Risk Assessment Conference (MARAC).',
    'This is an awareness course. It does not qualify you to work as an independent domestic violence adviser, but it will help you to work alongside one.',
  ),
  audience:
    'Practitioners in any agency who may be told about domestic abuse, including those who will complete DASH risk checklists.',
  audiences: ['all-practitioners', 'social-care', 'health', 'police', 'voluntary-sector'],
  topics: ['domestic-abuse'],
  level: 'intermediate',
  contentNotes: md(
    'This course discusses domestic abuse, including physical and sexual violence, coercive control and the effect on children. Case studies are fictional but based on real patterns. We know that some people attending will have their own experience of domestic abuse.',
    `There are breaks mid-morning, at lunch and mid-afternoon. ${STEP_OUT}`,
    'If you are affected by domestic abuse and would like support, the trainer can give you details of confidential local and national services privately. To talk about the course before you book, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes: md(
    'Tea, coffee and water are provided. Please bring your own lunch; there is a kitchen with a fridge and microwave you can use.',
    'If you have a copy of your organisation’s domestic abuse policy, it is useful to bring it.',
    'The hybrid date can be joined in person or online. If you join online, please find a private space, as the discussion includes sensitive material.',
  ),
  keyAreas: [
    'Understanding domestic abuse and the Domestic Abuse Act 2021',
    'Coercive control, economic abuse and post-separation abuse',
    'Asking about abuse safely and responding well',
    'The DASH risk checklist and professional judgement',
    'MARAC, safety planning and local specialist services',
  ],
  learningOutcomes: [
    'Describe the statutory definition of domestic abuse, including controlling or coercive behaviour',
    'Recognise patterns of coercive control and their effect on adults and children in the household',
    'Ask about domestic abuse safely, including when a partner or family member may be present',
    'Complete the DASH risk checklist with a victim and explain the outcome to them',
    'Identify when professional judgement should lead to a MARAC referral whatever the score',
    'Signpost to local specialist services and contribute to a safety plan',
    'Record disclosures and the actions taken clearly and securely',
  ],
  testimonials: [
    {
      quote:
        'Really practical. I used the DASH checklist the following week and felt confident explaining why I was asking each question.',
      attribution: 'Housing officer',
    },
    {
      quote: 'The section on coercive control changed how I read my own case notes.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { date: '2025-03-12' },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'thameside-training-rooms',
      trainers: ['tomasz-nowak'],
      capacity: 24,
      confirmed: 24,
    },
    {
      when: { weeksAhead: 3, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'thameside-training-rooms',
      trainers: ['tomasz-nowak'],
      capacity: 24,
      confirmed: 24,
      waitlisted: 5,
    },
    {
      when: { weeksAhead: 15, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'brunel-community-hub',
      trainers: ['tomasz-nowak'],
      capacity: 24,
      confirmed: 10,
    },
    {
      when: { weeksAhead: 29, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'hybrid',
      venue: 'westgate-collaboration-space',
      trainers: ['tomasz-nowak'],
      capacity: 30,
      confirmed: 4,
      notes:
        'This date is hybrid: join us at the Westgate Collaboration Space or online. Tell us which when you book.',
    },
  ],
};

const childExploitation: DemoCourse = {
  slug: 'child-exploitation',
  title: 'Child Exploitation: Criminal, Sexual and County Lines',
  summary:
    'How children are groomed and exploited for sex, for crime and through county lines drug supply, the signs to look for, and how to respond without blaming the child.',
  description: md(
    'A fourteen-year-old is found with cash he cannot explain, two phones and a train ticket to a town he has no links with. Is he a young offender, or a child being exploited?',
    'Child criminal exploitation and child sexual exploitation are forms of child abuse. Exploiters use money, gifts, status, affection, threats and debt to control children, and increasingly do so online. Children who are being exploited often do not see themselves as victims, and the way professionals respond can either open or close the door.',
    'This course looks at how grooming and exploitation work, including county lines, cuckooing and online exploitation, and what it means to see the child first. It covers the language we use in conversations and records, how to share information with the police and children’s social care, and the National Referral Mechanism for children who have been trafficked.',
  ),
  audience: 'Practitioners who work with children and young people aged 10 to 18, in any agency.',
  audiences: ['all-practitioners', 'police', 'education', 'social-care'],
  topics: ['exploitation', 'child-protection'],
  level: 'intermediate',
  contentNotes: md(
    'This course includes descriptions of sexual abuse, violence and coercion of children, based on real-world patterns. No graphic images are shown.',
    `There are regular breaks. ${STEP_OUT}`,
    'If anything in the course raises a concern about a child you know, talk to the trainer at a break or follow your organisation’s safeguarding procedure. For questions before the day, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions; please bring your own lunch.',
    'Online dates run over two mornings a week apart. You need to attend both to receive a certificate.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'Grooming and how exploitation works',
    'Child criminal exploitation and county lines',
    'Child sexual exploitation, including online',
    'Language, victim-blaming and seeing the child first',
    'Referral routes, information sharing and the National Referral Mechanism',
  ],
  learningOutcomes: [
    'Describe the main forms of child exploitation and how they overlap',
    'Recognise the signs that a child may be being groomed or exploited',
    'Explain how county lines operate, including cuckooing and debt bondage',
    'Use language in conversations and records that does not blame the child',
    'Identify when and how to refer to children’s social care and the police',
    'Explain the purpose of the National Referral Mechanism and who can make a referral',
  ],
  testimonials: [
    {
      quote:
        'Eye-opening. The trainer’s police experience made the county lines section very real without being sensational.',
      attribution: 'Youth worker',
    },
    {
      quote: 'I will never again write that a child ‘put themselves at risk’.',
      attribution: 'Social worker, children’s services',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 4, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'priory-fields-family-centre',
      trainers: ['gareth-pryce'],
      capacity: 30,
      confirmed: 28,
    },
    {
      when: { weeksAhead: 20, weekday: 2 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 7, start: '09:30', end: '12:30' },
      ],
      format: 'online',
      trainers: ['gareth-pryce'],
      capacity: 60,
      confirmed: 21,
      notes: 'This date runs online over two Tuesday mornings. Please attend both.',
    },
  ],
};

const adultSafeguarding: DemoCourse = {
  slug: 'adult-safeguarding-care-act',
  title: 'Adult Safeguarding and the Care Act 2014: Making Safeguarding Personal',
  summary:
    'The foundations of adult safeguarding under the Care Act 2014: who it applies to, the types of abuse and neglect, raising a concern, and keeping the person at the centre.',
  description: md(
    'What would you do if an adult you support told you that someone was taking their money, but asked you not to tell anyone? When should you respect their wishes, and when must you act anyway?',
    'The Care Act 2014 put adult safeguarding on a statutory footing. Section 42 requires the local authority to make enquiries, or cause others to, when an adult with care and support needs is experiencing, or at risk of, abuse or neglect and cannot protect themselves because of those needs. The Act’s statutory guidance sets out six safeguarding principles: empowerment, prevention, proportionality, protection, partnership and accountability.',
    'Making Safeguarding Personal means that safeguarding is done with the person, not to them, and focuses on the outcomes they want. This full-day course covers the legal framework, the types of abuse and neglect named in the statutory guidance, how to raise a concern, and how to hold a conversation that keeps the person’s voice at the centre.',
  ),
  audience:
    'Anyone who works or volunteers with adults, particularly in health, social care, housing and the voluntary sector.',
  audiences: ['all-practitioners', 'social-care', 'health', 'voluntary-sector'],
  topics: ['adult-safeguarding'],
  level: 'foundation',
  contentNotes: md(
    'We discuss abuse and neglect of adults, including financial, sexual and domestic abuse, using fictional examples. Some examples involve people who died.',
    `There are breaks mid-morning, at lunch and mid-afternoon (online dates have a break each morning). ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions; please bring your own lunch.',
    'The online date runs over two mornings in the same week. You need to attend both to receive a certificate.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'The Care Act 2014 and the section 42 duty',
    'The six safeguarding principles',
    'Types and indicators of abuse and neglect',
    'Making Safeguarding Personal',
    'Raising a concern and what happens next',
  ],
  learningOutcomes: [
    'Explain when the section 42 duty applies and what it requires',
    'Describe the six safeguarding principles and apply them to a case',
    'Recognise the types and indicators of abuse and neglect set out in the statutory guidance',
    'Hold a conversation that finds out what outcomes the adult wants',
    'Weigh a person’s wishes against the risks to them and to others, and know when these can be overridden',
    'Raise a safeguarding concern through the local route and record the decision',
  ],
  testimonials: [
    {
      quote:
        'Clear and well paced. The Making Safeguarding Personal section made me rethink how I write up concerns.',
      attribution: 'Support worker, supported living',
    },
  ],
  sessions: [
    {
      when: { weeksAgo: 6, weekday: 2 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 2, start: '09:30', end: '12:30' },
      ],
      format: 'online',
      trainers: ['priya-raman'],
      capacity: 40,
      confirmed: 16,
      notes: 'This date runs online over two mornings: Tuesday and Thursday of the same week.',
    },
    {
      when: { weeksAhead: 1, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'weavers-court-meeting-rooms',
      trainers: ['priya-raman'],
      capacity: 25,
      confirmed: 25,
      waitlisted: 3,
    },
    {
      when: { weeksAhead: 12, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'cherwell-learning-centre',
      trainers: ['priya-raman'],
      capacity: 25,
      confirmed: 9,
    },
    {
      when: { weeksAhead: 27, weekday: 2 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 2, start: '09:30', end: '12:30' },
      ],
      format: 'online',
      trainers: ['priya-raman'],
      capacity: 40,
      confirmed: 2,
      notes: 'This date runs online over two mornings: Tuesday and Thursday of the same week.',
    },
  ],
};

const selfNeglect: DemoCourse = {
  slug: 'self-neglect-and-hoarding',
  title: 'Self-Neglect and Hoarding: Working with Risk and Respect',
  summary:
    'Understanding self-neglect and hoarding, assessing risk (including fire risk), and building the trusting relationships that make change possible.',
  description: md(
    'How do you help someone who does not want your help? What do you do when a person’s home has become unsafe, but they may have the capacity to choose how they live?',
    'Self-neglect is one of the most common themes in safeguarding adults reviews. It covers a wide range of situations: not caring for one’s own health or hygiene, not caring for one’s home, and behaviour such as hoarding. It is often linked to trauma, loss, mental ill health or long-term conditions, and people are frequently described as ‘refusing to engage’ when the help on offer did not fit.',
    'This half-day course explores why self-neglect happens, how to describe and assess risk using the clutter image rating and fire safety checks, and how a patient, relationship-based approach, backed by the partnership’s multi-agency self-neglect protocol, can make a difference over time.',
  ),
  audience:
    'Practitioners who visit people at home, including social care, health, housing, fire and rescue and voluntary sector staff.',
  audiences: ['social-care', 'health', 'voluntary-sector', 'all-practitioners'],
  topics: ['neglect', 'adult-safeguarding', 'mental-capacity'],
  level: 'intermediate',
  contentNotes: md(
    'We look at photographs of cluttered and neglected homes (no people are shown) and discuss cases in which people came to serious harm or died.',
    `There is a break halfway through. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 3,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions. The course finishes at 12:30, so lunch is not included.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'What self-neglect and hoarding are, and why they happen',
    'Assessing risk, including the clutter image rating and fire risk',
    'Capacity, choice and executive function',
    'Relationship-based practice and the multi-agency self-neglect protocol',
  ],
  learningOutcomes: [
    'Describe the forms self-neglect can take and the factors that often lie behind it',
    'Use the clutter image rating to describe a home consistently',
    'Identify when to ask the fire and rescue service for a home fire safety visit',
    'Explain why a person may be able to describe a decision but not carry it out, and what this means for a capacity assessment',
    'Plan a relationship-based approach that respects a person’s choices while managing risk',
    'Know when to use the multi-agency self-neglect protocol and how to escalate concerns',
  ],
  testimonials: [
    {
      quote:
        'Compassionate and practical. I came away with a better way to start conversations with a tenant I have been worried about for months.',
      attribution: 'Housing support officer',
    },
    {
      quote: 'The part on executive function was the most useful hour of training I have had this year.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 6, weekday: 1 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'thameside-training-rooms',
      trainers: ['priya-raman'],
      capacity: 20,
      confirmed: 17,
    },
    {
      when: { weeksAhead: 24, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'online',
      trainers: ['priya-raman'],
      capacity: 50,
      confirmed: 6,
    },
  ],
};

const mentalCapacity: DemoCourse = {
  slug: 'mental-capacity-act-in-practice',
  title: 'The Mental Capacity Act 2005 in Practice',
  summary:
    'Applying the five principles, carrying out and recording a capacity assessment, and making best interests decisions, over two practical mornings.',
  description: md(
    'Do you assess capacity as part of your job, or rely on assessments made by others? Would your records stand up if a decision were challenged?',
    'The Mental Capacity Act 2005 protects people who may lack capacity to make some decisions for themselves, and upholds everyone’s right to make their own decisions, including ones that others think unwise. Reviews regularly find that capacity was assumed when it should have been assessed, or questioned when it should have been assumed, and that assessments were not specific to the decision in hand.',
    'Over two mornings a week apart, this course works through the five statutory principles, the test for capacity (understanding, retaining, using or weighing information and communicating a decision), best interests decision-making, and the roles of advocates and attorneys. Between the mornings you will be asked to look again at one capacity assessment from your own practice, with all identifying details removed, to discuss in the second session.',
    'The Act applies to people aged 16 and over. This course does not cover the Deprivation of Liberty Safeguards in detail.',
  ),
  audience:
    'Health and social care practitioners who assess capacity or contribute to best interests decisions, and their managers.',
  audiences: ['social-care', 'health', 'voluntary-sector'],
  topics: ['mental-capacity', 'adult-safeguarding'],
  level: 'intermediate',
  contentNotes: md(
    'We discuss decisions about care, treatment, money and where people live, including situations in which people came to harm.',
    `Each morning has a break halfway through. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 6,
  practicalNotes: md(
    'Each morning runs from 09:30 to 12:30, and you need to attend both to receive a certificate. If you know you will miss one, please tell the training team and we will try to find you a place on another date.',
    'Tea and coffee are provided in person. For the task between sessions, please remove names and anything else that could identify the person.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'The five principles of the Mental Capacity Act',
    'Assessing capacity for a specific decision',
    'Best interests decisions and less restrictive options',
    'Advocacy, lasting powers of attorney and the Court of Protection',
    'Recording capacity assessments and best interests decisions',
  ],
  learningOutcomes: [
    'Apply the five principles of the Act to everyday decisions',
    'Carry out a decision-specific capacity assessment using the test in the Act',
    'Give a person all practicable help to make their own decision before concluding that they cannot',
    'Follow the best interests checklist and record how a decision was reached',
    'Identify when an Independent Mental Capacity Advocate must be instructed',
    'Write a capacity assessment that would stand up to scrutiny',
  ],
  testimonials: [
    {
      quote: 'The best MCA training I have been on. The task between the two mornings made it stick.',
      attribution: 'Occupational therapist, acute hospital',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 7, weekday: 3 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 7, start: '09:30', end: '12:30' },
      ],
      format: 'in_person',
      venue: 'brunel-community-hub',
      trainers: ['ruth-adeyemi'],
      capacity: 20,
      confirmed: 11,
    },
    {
      when: { weeksAhead: 30, weekday: 3 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 7, start: '09:30', end: '12:30' },
      ],
      format: 'hybrid',
      venue: 'westgate-collaboration-space',
      trainers: ['ruth-adeyemi'],
      capacity: 30,
      confirmed: 3,
      notes:
        'This date is hybrid: join us at the Westgate Collaboration Space or online, on both Wednesday mornings.',
    },
  ],
};

const neglect: DemoCourse = {
  slug: 'neglect-graded-care-profile',
  title: 'Recognising and Responding to Neglect: Graded Care Profile 2 Awareness',
  summary:
    'Recognising the signs of child neglect, understanding its long-term impact, and an introduction to the Graded Care Profile 2 for assessing the quality of care a child receives.',
  description: md(
    'Neglect is the most common reason for a child to be subject to a child protection plan in England, yet it is often the hardest harm to evidence. How do you tell poverty from neglect? How do you notice drift when every visit looks much like the last?',
    'This full-day course looks at what neglect is, how it affects children’s development from before birth to adolescence, and why it so often goes unrecognised for years. It explores the difference between poverty and neglect, and the importance of keeping the child’s day-to-day experience in view.',
    'The afternoon introduces the Graded Care Profile 2 (GCP2), the tool used across the partnership to measure the quality of care a child receives. This is an awareness session: it explains how GCP2 works and how to contribute to one. Practitioners who will lead GCP2 assessments also need the separate licensed GCP2 training.',
  ),
  audience:
    'Practitioners in education, early years, health, social care and the voluntary sector who work with children and families.',
  audiences: ['education', 'health', 'social-care', 'voluntary-sector'],
  topics: ['neglect', 'child-protection'],
  level: 'foundation',
  contentNotes: md(
    'This course includes case examples of children living with long-term neglect, drawn from published safeguarding practice reviews, including the death of a child.',
    `There are breaks mid-morning, at lunch and mid-afternoon. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes:
    'Tea and coffee are provided; please bring your own lunch. Please bring a pen: the GCP2 exercise is done on paper.',
  keyAreas: [
    'What neglect is and how it affects children at each age',
    'Poverty, neglect and cumulative harm',
    'Noticing drift and the child’s lived experience',
    'An introduction to the Graded Care Profile 2',
    'Escalation and the partnership’s neglect strategy',
  ],
  learningOutcomes: [
    'Describe the forms of neglect and how they affect children’s development',
    'Distinguish between the effects of poverty and neglect, and respond to each appropriately',
    'Recognise cumulative harm and drift in long-running cases',
    'Explain the purpose and structure of the Graded Care Profile 2',
    'Contribute information from their own role to a GCP2 assessment',
    'Escalate concerns about neglect using the partnership’s procedures',
  ],
  testimonials: [
    {
      quote: 'Helen and Siân brought the health and education perspectives together really well.',
      attribution: 'Designated safeguarding lead, primary school',
    },
    {
      quote:
        'The discussion of poverty and neglect was handled thoughtfully and gave me words to use with families.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 8, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'cherwell-learning-centre',
      trainers: ['helen-mcallister', 'sian-howell'],
      capacity: 30,
      confirmed: 30,
    },
    {
      when: { weeksAhead: 22, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'weavers-court-meeting-rooms',
      trainers: ['helen-mcallister', 'sian-howell'],
      capacity: 30,
      confirmed: 7,
    },
  ],
};

const professionalCuriosity: DemoCourse = {
  slug: 'professional-curiosity',
  title: 'Professional Curiosity and Respectful Challenge',
  summary:
    'Asking the next question, noticing what does not fit, and challenging colleagues and other agencies constructively, including through the escalation policy.',
  description: md(
    'Have you ever had a nagging feeling about a family or an adult but not known how to put it into words? Have you disagreed with another agency’s decision and let it go?',
    'Safeguarding reviews make the same finding again and again: someone knew, or sensed, something that was not explored or not passed on. Professional curiosity is the habit of looking, listening, asking direct questions and checking what you are told, rather than taking things at face value. Respectful challenge is its partner: raising a different view with a colleague or another agency, and escalating it when needed.',
    'This afternoon workshop uses short scenarios and practice conversations to build the confidence to ask the harder question. It looks at the barriers we all face, such as disguised compliance, the ‘rule of optimism’, workload and the fear of damaging a relationship, and at how supervision can help.',
  ),
  audience: 'Practitioners and first-line managers in any agency.',
  audiences: ['all-practitioners'],
  topics: ['practice-skills', 'child-protection', 'adult-safeguarding'],
  level: 'intermediate',
  contentNotes: md(
    'Scenarios draw on themes from safeguarding reviews, including the deaths of children and adults. Practice conversations are in pairs or threes; you can choose to observe instead.',
    `There is a short break halfway through. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 2.5,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions. Please bring a copy of the partnership’s escalation policy if you have one; printed copies are also available.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'What professional curiosity is and why it matters',
    'Barriers to curiosity, including the rule of optimism and disguised compliance',
    'Asking direct questions and checking what you are told',
    'Respectful challenge and the partnership’s escalation policy',
  ],
  learningOutcomes: [
    'Explain what professional curiosity means in their own role',
    'Recognise the barriers that stop practitioners asking further questions',
    'Use open and direct questions to explore an uncomfortable concern',
    'Check information with other agencies rather than relying on self-report',
    'Challenge a decision respectfully and escalate it using the partnership’s policy',
  ],
  testimonials: [
    {
      quote: 'Short, focused and very relevant. The practice conversations were uncomfortable in a good way.',
      attribution: 'Police constable, neighbourhood policing',
    },
    {
      quote: 'I used the escalation policy for the first time the week after.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { weeksAgo: 3, weekday: 3 },
      parts: [{ dayOffset: 0, start: '13:30', end: '16:00' }],
      format: 'online',
      trainers: ['amara-okafor'],
      capacity: 60,
      confirmed: 26,
    },
    {
      when: { weeksAhead: 9, weekday: 2 },
      parts: [{ dayOffset: 0, start: '13:30', end: '16:00' }],
      format: 'online',
      trainers: ['amara-okafor'],
      capacity: 60,
      confirmed: 47,
    },
    {
      when: { weeksAhead: 25, weekday: 4 },
      parts: [{ dayOffset: 0, start: '13:30', end: '16:00' }],
      format: 'in_person',
      venue: 'priory-fields-family-centre',
      trainers: ['amara-okafor'],
      capacity: 24,
      confirmed: 23,
    },
  ],
};

const contextualSafeguarding: DemoCourse = {
  slug: 'contextual-safeguarding',
  title: 'Contextual Safeguarding: Harm Beyond the Front Door',
  summary:
    'Understanding and responding to the risks young people face in their neighbourhoods, schools, peer groups and online, and how agencies can change the places where harm happens.',
  description: md(
    'As children move into adolescence, more of the harm they face happens outside the home: in parks, on buses, at school, at parties and online. Child protection systems were built to assess parents. What happens when parents are doing all they can, and the risk lies somewhere else?',
    'Contextual safeguarding is an approach that recognises that young people’s relationships and surroundings beyond the family can expose them to harm, and that the response should try to change those contexts as well as supporting the individual child. It asks professionals to look at peer groups, schools and places, and to work with the people who have influence there, such as shop staff, transport staff, park wardens and youth workers.',
    'This advanced course is for practitioners who already have a grounding in child protection and child exploitation. It covers mapping peer groups and places, running context-focused meetings, and working with partners outside traditional safeguarding roles.',
  ),
  audience:
    'Experienced practitioners working with adolescents in social care, education, youth services, community safety and the police.',
  audiences: ['social-care', 'education', 'police', 'voluntary-sector'],
  topics: ['exploitation', 'child-protection'],
  level: 'advanced',
  contentNotes: md(
    'We discuss violence between young people, sexual harassment and exploitation in public places and online, using fictional but realistic examples.',
    `There are breaks mid-morning, at lunch and mid-afternoon. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes: md(
    'Tea and coffee are provided; please bring your own lunch.',
    'If you would like to use an area you know for the mapping exercise, bring a printed street map of it. Please do not bring anything that identifies a child.',
  ),
  keyAreas: [
    'The principles of contextual safeguarding',
    'Extra-familial harm and adolescent development',
    'Mapping peer groups and places',
    'Working with partners who have influence in public spaces',
    'Planning interventions that change contexts, not only individuals',
  ],
  learningOutcomes: [
    'Explain the principles of contextual safeguarding and how they differ from a family-focused approach',
    'Identify the contexts in which a young person may be at risk of harm outside the family',
    'Map a peer group and a location to inform a plan',
    'Identify partners outside traditional safeguarding who could help make a place safer',
    'Contribute to a context-focused plan and review its effect',
  ],
  testimonials: [
    {
      quote:
        'It changed how our team thinks about the park next to the school. The park wardens now come to our meetings.',
      attribution: 'Deputy head teacher, secondary school',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 10, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['gareth-pryce', 'amara-okafor'],
      capacity: 35,
      confirmed: 14,
    },
    {
      when: { weeksAhead: 33, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'brunel-community-hub',
      trainers: ['gareth-pryce', 'amara-okafor'],
      capacity: 30,
      confirmed: 1,
    },
  ],
};

const resistantFamilies: DemoCourse = {
  slug: 'working-with-resistant-families',
  title: 'Working with Hard-to-Engage and Resistant Families',
  summary:
    'A two-day course on why families avoid or resist services, recognising disguised compliance, and keeping children safe when relationships with parents are difficult, hostile or intimidating.',
  description: md(
    'Some families close the door, miss appointments, or agree to everything and change nothing. Others are angry, hostile or frightening to work with. How do we keep the child in focus when the adults take all our attention?',
    'Reviews often find that practitioners were kept at a distance, were intimidated, or accepted explanations they might otherwise have questioned. At the same time, what professionals call resistance is often an understandable response to earlier experiences of services, to fear of losing children, or to trauma. Both things can be true at once.',
    'Over two consecutive days, this course looks at the reasons behind avoidance, disguised compliance and hostility, and builds practical skills for forming relationships while staying clear about concerns. It covers strengths-based and motivational approaches, managing your own safety and feelings, and using supervision well. The second day is built around a role-played scenario.',
  ),
  audience:
    'Experienced practitioners who work with families where there are child protection or child in need concerns.',
  audiences: ['social-care', 'health', 'education', 'police'],
  topics: ['practice-skills', 'child-protection', 'trauma-informed-practice'],
  level: 'advanced',
  contentNotes: md(
    'This course includes discussion of hostile and intimidating behaviour towards professionals, and case material from reviews in which children died. Taking part in the role-play is optional.',
    `There are breaks mid-morning, at lunch and mid-afternoon on both days. ${STEP_OUT}`,
    'If you have experienced aggression at work and would like to talk about the course first, contact the training team; the trainers can also talk with you privately at any break.',
  ),
  cpdHours: 11,
  practicalNotes: md(
    'You need to attend both days to receive a certificate. Tea and coffee are provided; please bring your own lunch on both days.',
    'The hybrid date can be joined in person or online; online delegates take part in the role-play in a breakout room.',
  ),
  keyAreas: [
    'Understanding resistance, avoidance and disguised compliance',
    'Trauma, shame and fear of services',
    'Authoritative, relationship-based practice',
    'Staying safe when working with hostility and intimidation',
    'Supervision, reflection and keeping the child in focus',
  ],
  learningOutcomes: [
    'Describe the different forms non-engagement can take and the reasons behind them',
    'Recognise disguised compliance and test whether change is real',
    'Use strengths-based and motivational techniques to build a working relationship',
    'Hold an honest conversation about concerns while staying respectful',
    'Plan for their own safety when working with hostile or intimidating adults',
    'Use supervision to reflect on how a family is affecting their judgement',
    'Keep the child’s experience at the centre of planning',
  ],
  testimonials: [
    {
      quote:
        'Two days felt like a lot to give up, but it was worth it. The role-play was handled with real care.',
      attribution: 'Family support worker',
    },
    {
      quote:
        'I realised how much energy I had been spending on managing my own anxiety rather than focusing on the child.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 11, weekday: 1 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '16:00' },
        { dayOffset: 1, start: '09:30', end: '16:00' },
      ],
      format: 'in_person',
      venue: 'thameside-training-rooms',
      trainers: ['amara-okafor', 'helen-mcallister'],
      capacity: 20,
      confirmed: 18,
    },
    {
      when: { weeksAhead: 31, weekday: 4 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '16:00' },
        { dayOffset: 1, start: '09:30', end: '16:00' },
      ],
      format: 'hybrid',
      venue: 'cherwell-learning-centre',
      trainers: ['amara-okafor', 'helen-mcallister'],
      capacity: 30,
      confirmed: 5,
      notes:
        'This date is hybrid: join us at the Cherwell Learning Centre or online, on Thursday and Friday.',
    },
  ],
};

const harmfulSexualBehaviour: DemoCourse = {
  slug: 'harmful-sexual-behaviour',
  title: 'Understanding Harmful Sexual Behaviour in Children and Young People',
  summary:
    'Telling healthy, problematic and harmful sexual behaviour apart, responding in proportion, and supporting all the children involved.',
  description: md(
    'Would you know whether a child’s sexual behaviour was part of healthy development or a cause for concern? How would you respond if one child in your care harmed another?',
    'Harmful sexual behaviour (HSB) is sexual behaviour by children and young people under 18 that is developmentally inappropriate, may be harmful to themselves or others, or is abusive towards another child or an adult. A significant proportion of child sexual abuse is carried out by other children. Children who display harmful sexual behaviour are children first, and many have experienced abuse or trauma themselves.',
    'This course uses a continuum model, from healthy through inappropriate and problematic to abusive and violent, to help practitioners respond in proportion to the behaviour. It covers online behaviour and the sharing of nude images, the needs of children who have been harmed, and how schools, social care, health and the police work together.',
  ),
  audience:
    'Practitioners in education, social care, health and the police who work with children and young people and have a grounding in child protection.',
  audiences: ['education', 'social-care', 'health', 'police'],
  topics: ['child-protection'],
  level: 'advanced',
  contentNotes: md(
    'This course discusses sexual abuse of and by children in some detail, including case examples. No images are shown.',
    `There are regular breaks. ${STEP_OUT}`,
    'If you have been affected by sexual abuse, the trainer can give you details of confidential support privately. To talk about the course before you book, contact the training team.',
  ),
  cpdHours: 5.5,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions; please bring your own lunch.',
    'The online date runs over two mornings a week apart; you need to attend both to receive a certificate.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'Healthy sexual development at different ages',
    'The continuum of sexual behaviour',
    'Online harmful sexual behaviour and sharing nudes',
    'Responding to and supporting all the children involved',
    'Multi-agency assessment and intervention',
  ],
  learningOutcomes: [
    'Describe typical sexual development and behaviour at different ages',
    'Use a continuum model to judge whether behaviour is healthy, problematic or harmful',
    'Respond in proportion to incidents, including those involving online images',
    'Identify the support needs of the child who has been harmed and of the child who has harmed',
    'Know when and how to make a referral and share information',
    'Use language that avoids labelling children as abusers or perpetrators',
  ],
  testimonials: [
    {
      quote: 'The continuum tool is now on the wall of our safeguarding office.',
      attribution: 'Designated safeguarding lead, secondary school',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 13, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '16:00' }],
      format: 'in_person',
      venue: 'weavers-court-meeting-rooms',
      trainers: ['joseph-mensah'],
      capacity: 24,
      confirmed: 13,
    },
    {
      when: { weeksAhead: 34, weekday: 2 },
      parts: [
        { dayOffset: 0, start: '09:30', end: '12:30' },
        { dayOffset: 7, start: '09:30', end: '12:30' },
      ],
      format: 'online',
      trainers: ['joseph-mensah'],
      capacity: 40,
      confirmed: 2,
      notes: 'This date runs online over two Tuesday mornings. Please attend both.',
    },
  ],
};

const preventAwareness: DemoCourse = {
  slug: 'prevent-awareness',
  title: 'Prevent and Radicalisation Awareness',
  summary:
    'A two-hour introduction to the Prevent duty: how people are drawn into terrorism, the signs that someone may be susceptible to radicalisation, and how to make a proportionate referral.',
  description: md(
    'Would you know what to do if a young person you work with started repeating extremist views, or an adult you support was spending hours in online spaces that celebrate violence?',
    'The Prevent duty, in the Counter-Terrorism and Security Act 2015, requires specified authorities, including councils, schools, colleges, health services and the police, to have due regard to the need to prevent people from being drawn into terrorism. Prevent is about safeguarding: supporting people who are susceptible to radicalisation before any crime is committed, including through Channel, the voluntary multi-agency support programme.',
    'This short course explains how radicalisation happens online and in person, the range of ideologies that are a current concern, and how to tell the difference between views you may find offensive and a real safeguarding concern. It also covers how to make a Prevent referral and what happens next.',
  ),
  audience:
    'Anyone who works or volunteers with children, young people or adults, especially staff in organisations covered by the Prevent duty.',
  audiences: ['all-practitioners', 'education', 'health', 'voluntary-sector'],
  topics: ['prevent'],
  level: 'foundation',
  contentNotes: md(
    'We discuss terrorist attacks and extremist ideologies. Propaganda is described, not shown.',
    `There is a short break. ${STEP_OUT} Online, you can turn your camera off at any time.`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 2,
  practicalNotes: md(ONLINE_JOINING, 'Tea and coffee are provided at the in-person date.'),
  keyAreas: [
    'The Prevent duty and the Channel programme',
    'How people are drawn into extremism and terrorism',
    'Recognising concerns, and avoiding over-referral',
    'Making a referral and what happens next',
  ],
  learningOutcomes: [
    'Explain the Prevent duty and how it applies to their organisation',
    'Describe the factors that can make someone susceptible to radicalisation',
    'Recognise when behaviour or views may indicate a safeguarding concern',
    'Discuss concerns with their safeguarding lead in proportion',
    'Explain how to make a Prevent referral and what Channel support involves',
  ],
  testimonials: [
    {
      quote:
        'Much more balanced than I expected. It helped me understand when something is a concern and when it is not.',
      attribution: 'Anonymous',
    },
    {
      quote: 'Clear and well organised, with plenty of time for questions.',
      attribution: 'Receptionist, GP practice',
    },
  ],
  sessions: [
    {
      when: { date: '2025-06-05' },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'online',
      trainers: ['callum-fraser'],
      capacity: 60,
      confirmed: 57,
    },
    {
      when: { weeksAhead: 2, weekday: 4 },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'online',
      trainers: ['callum-fraser'],
      capacity: 60,
      confirmed: 60,
      waitlisted: 4,
    },
    {
      when: { weeksAhead: 14, weekday: 2 },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'online',
      trainers: ['callum-fraser'],
      capacity: 60,
      confirmed: 33,
    },
    {
      when: { weeksAhead: 26, weekday: 2 },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'in_person',
      venue: 'priory-fields-family-centre',
      trainers: ['callum-fraser'],
      capacity: 30,
      confirmed: 3,
    },
  ],
};

const modernSlavery: DemoCourse = {
  slug: 'modern-slavery-and-trafficking',
  title: 'Modern Slavery and Human Trafficking: Spotting the Signs',
  summary:
    'How modern slavery and human trafficking happen in our communities, the signs to look for, and what to do when you are worried, including the National Referral Mechanism.',
  description: md(
    'Modern slavery is not something that only happens elsewhere. People are exploited for their labour in car washes, nail bars, farms, factories and private homes, forced to commit crime, and sexually exploited, in towns across the country. Many of them are British.',
    'Victims rarely identify themselves. They may be afraid of the people controlling them, of the authorities, or of losing their immigration status, and they may not see themselves as victims at all.',
    'This half-day course explains the forms of modern slavery and human trafficking under the Modern Slavery Act 2015, the signs to look for, and how to respond safely. It covers the National Referral Mechanism, the duty on some public authorities to notify the Home Office, and the support available to survivors.',
  ),
  audience:
    'Anyone who may come into contact with people being exploited, including health, housing, police, social care and voluntary sector staff.',
  audiences: ['all-practitioners', 'police', 'health', 'voluntary-sector'],
  topics: ['exploitation', 'adult-safeguarding'],
  level: 'foundation',
  contentNotes: md(
    'We discuss exploitation, including sexual exploitation, violence and control, using fictional case studies based on real patterns.',
    `There is a break halfway through. ${STEP_OUT}`,
    'If you would like to talk about the course before you book, contact the training team.',
  ),
  cpdHours: 3,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions. The course finishes at 12:30, so lunch is not included.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'What modern slavery and human trafficking are',
    'Forms of exploitation: labour, sexual, criminal and domestic servitude',
    'Recognising the signs and responding safely',
    'The National Referral Mechanism, the duty to notify and support for survivors',
  ],
  learningOutcomes: [
    'Define modern slavery and human trafficking under the Modern Slavery Act 2015',
    'Describe the main forms of exploitation and where they may be found locally',
    'Recognise indicators of modern slavery in people, places and situations',
    'Respond safely to a possible victim, including through a professional interpreter',
    'Explain the National Referral Mechanism, who can refer and the duty to notify',
    'Signpost to local and national support, including the Modern Slavery and Exploitation Helpline',
  ],
  testimonials: [
    {
      quote:
        'I work in an emergency department and now know what to ask, and what not to ask in front of the person who brought them in.',
      attribution: 'Emergency department nurse',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 16, weekday: 2 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'cherwell-learning-centre',
      trainers: ['gareth-pryce'],
      capacity: 30,
      confirmed: 12,
    },
    {
      when: { weeksAhead: 28, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'online',
      trainers: ['gareth-pryce'],
      capacity: 50,
      confirmed: 1,
    },
  ],
};

const suicidePrevention: DemoCourse = {
  slug: 'suicide-prevention-awareness',
  title: 'Suicide Prevention Awareness',
  summary:
    'Building the confidence to ask someone directly about suicide, listen, help them stay safe for now and connect them with support, and look after yourself afterwards.',
  description: md(
    'Would you feel able to ask someone if they are thinking about suicide? Many of us worry that asking will put the idea into someone’s head. The evidence says it does not, and being asked directly can come as a relief.',
    'This half-day course is for anyone who may meet people in distress through their work. It looks at the situations that can raise someone’s risk, the signs that someone may be thinking about suicide, and how to have a conversation that is calm, direct and caring. It covers making a simple safety plan together and knowing where to turn for urgent and ongoing help.',
    'It is an awareness course, not clinical risk assessment training. It will not make you a mental health professional, but it may help you to be the person who asks.',
  ),
  audience: 'Anyone who may meet people in distress through their work or volunteering.',
  audiences: ['all-practitioners', 'health', 'police', 'education', 'voluntary-sector'],
  topics: ['mental-health'],
  level: 'foundation',
  contentNotes: md(
    'This course talks openly about suicide and self-harm. If you have been bereaved by suicide, or are having difficult thoughts yourself, please think about whether now is the right time; you are welcome to talk to the training team before you book.',
    `There is a break halfway through. ${STEP_OUT} The trainer will stay for a while at the end if you would like to talk.`,
    'If you need to talk to someone at any time, Samaritans are available free on 116 123, day or night. In England you can also call NHS 111 and choose the mental health option.',
  ),
  cpdHours: 3,
  practicalNotes: md(
    'Tea and coffee are provided at in-person sessions. The course finishes at 12:30, so lunch is not included.',
    ONLINE_JOINING,
  ),
  keyAreas: [
    'Understanding suicide and the factors that raise risk',
    'Recognising signs and asking directly',
    'Listening, staying safe for now and making a safety plan',
    'Local and national support, and looking after yourself',
  ],
  learningOutcomes: [
    'Describe common myths about suicide and the evidence against them',
    'Recognise situations and signs that may indicate someone is thinking about suicide',
    'Ask someone directly and calmly whether they are thinking about suicide',
    'Work with a person to make a simple safety plan',
    'Know how to get urgent help and where to signpost for ongoing support',
    'Identify ways to look after their own wellbeing after a difficult conversation',
  ],
  testimonials: [
    {
      quote:
        'I had been dreading this topic, but Farid made it feel safe. I now feel able to ask the question.',
      attribution: 'Anonymous',
    },
    {
      quote: 'Every frontline worker should do this.',
      attribution: 'Police community support officer',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 17, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'weavers-court-meeting-rooms',
      trainers: ['farid-hussain'],
      capacity: 25,
      confirmed: 11,
    },
    {
      when: { weeksAhead: 23, weekday: 3 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['farid-hussain'],
      capacity: 30,
      confirmed: 27,
    },
    {
      when: { weeksAhead: 36, weekday: 4 },
      parts: [{ dayOffset: 0, start: '09:30', end: '12:30' }],
      format: 'online',
      trainers: ['farid-hussain'],
      capacity: 50,
      confirmed: 0,
    },
  ],
};

const volunteersIntroduction: DemoCourse = {
  slug: 'introduction-to-safeguarding-for-volunteers',
  title: 'Introduction to Safeguarding for Volunteers',
  summary:
    'A friendly two-hour online introduction for volunteers in community, faith and sports groups: what safeguarding means, what to look out for, and what to do if you are worried.',
  description: md(
    'Do you volunteer with children, young people or adults in a community group, faith setting, sports club or charity? Would you know what to do if someone told you something worrying?',
    'You do not need to be a professional to help keep people safe, and you are not expected to investigate or decide whether abuse is happening. Your part is to notice, listen, write down what you saw or heard, and pass it on to the right person.',
    'This short online session introduces safeguarding children and adults in plain English. It covers the main types of abuse and neglect, how to respond if someone tells you something, keeping yourself safe, and the role of your organisation’s safeguarding lead. No previous training is needed.',
  ),
  audience:
    'Volunteers, and new paid staff, in community, faith, sports and charity groups. No previous training is needed.',
  audiences: ['voluntary-sector'],
  topics: ['child-protection', 'adult-safeguarding'],
  level: 'foundation',
  contentNotes: md(
    'We talk about abuse and neglect in general terms, with short examples. There are no graphic descriptions.',
    `There is a short break. ${STEP_OUT} You can turn your camera off at any time.`,
    'If you have questions before the day, or would like help joining online, contact the training team.',
  ),
  cpdHours: 2,
  practicalNotes: md(
    ONLINE_JOINING,
    'If you have a copy of your group’s safeguarding policy, have it to hand.',
  ),
  keyAreas: [
    'What safeguarding means and why it matters to volunteers',
    'Types and signs of abuse and neglect',
    'Listening, responding and writing things down',
    'Who to tell, and your organisation’s safeguarding lead',
  ],
  learningOutcomes: [
    'Explain what safeguarding means for children and for adults',
    'Recognise the main types of abuse and neglect',
    'Respond calmly to someone who tells them something worrying, without making promises they cannot keep',
    'Write down what they saw or heard accurately and factually',
    'Know who to tell in their organisation and what to do in an emergency',
    'Keep appropriate boundaries with the people they support',
  ],
  testimonials: [
    {
      quote:
        'Friendly, clear and not at all intimidating. I volunteer at a youth football club and now know exactly who to go to.',
      attribution: 'Volunteer coach',
    },
    {
      quote: 'A good length for volunteers, and the evening date meant I could join after work.',
      attribution: 'Anonymous',
    },
  ],
  sessions: [
    {
      when: { weeksAhead: 1, weekday: 4 },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'online',
      trainers: ['sian-howell'],
      capacity: 60,
      confirmed: 38,
    },
    {
      when: { weeksAhead: 18, weekday: 3 },
      parts: [{ dayOffset: 0, start: '18:00', end: '20:00' }],
      format: 'online',
      trainers: ['sian-howell'],
      capacity: 60,
      confirmed: 12,
      notes: 'An evening date for volunteers who work or study during the day.',
    },
    {
      when: { weeksAhead: 32, weekday: 1 },
      parts: [{ dayOffset: 0, start: '10:00', end: '12:00' }],
      format: 'online',
      trainers: ['sian-howell'],
      capacity: 60,
      confirmed: 4,
    },
  ],
};

// ---------------------------------------------------------------------------
// The programme
// ---------------------------------------------------------------------------

export const demoProgramme: DemoProgramme = {
  topics,
  audiences,
  venues,
  trainers,
  courses: [
    traumaInformedCoProduction,
    thinkFamily,
    domesticAbuse,
    childExploitation,
    adultSafeguarding,
    selfNeglect,
    mentalCapacity,
    neglect,
    professionalCuriosity,
    contextualSafeguarding,
    resistantFamilies,
    harmfulSexualBehaviour,
    preventAwareness,
    modernSlavery,
    suicidePrevention,
    volunteersIntroduction,
  ],
};
