import { z } from 'zod';
import { type OfferCategory, offerCategories, type ScheduleFrequency, type Weekday, weekdays } from '../../db/tables/publishing.ts';
import { optionalText, requiredText } from '../../lib/forms.ts';
import { parseTime } from '../../lib/london-time.ts';
import { notesText, optionalEmail, optionalId, optionalPhone, optionalWholeNumber } from '../organisations/fields.ts';

export const dayNames: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

export const frequencyNames: Record<ScheduleFrequency | 'none', string> = {
  none: 'No regular schedule',
  weekly: 'Every week',
  fortnightly: 'Every 2 weeks',
  monthly: 'Once a month',
};

/** Week of the month for a monthly schedule, as Open Referral UK counts it (-1 is the last). */
export const weekOfMonthNames: Record<string, string> = { '1': 'First', '2': 'Second', '3': 'Third', '4': 'Fourth', '-1': 'Last' };

const timeField = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? '');

export const offerForm = z
  .object({
    title: requiredText('Enter the name of the activity', 150, 'Name of the activity must be 150 characters or fewer'),
    category: z.enum(offerCategories, { error: 'Select the kind of activity' }),
    description: requiredText('Enter a description of the activity', 5000, 'Description must be 5,000 characters or fewer', { multiline: true }),
    suits: notesText(1000, 'Who it suits must be 1,000 characters or fewer', { multiline: true }),
    scheduleFrequency: z.enum(['none', 'weekly', 'fortnightly', 'monthly'], { error: 'Select how often the activity runs' }),
    scheduleDays: z
      .string()
      .optional()
      .transform((value) => (value ?? '').split('\n').filter((day): day is Weekday => (weekdays as readonly string[]).includes(day))),
    scheduleWeekOfMonth: z
      .string()
      .optional()
      .transform((value) => (value && value in weekOfMonthNames ? Number(value) : null)),
    scheduleStartTime: timeField,
    scheduleEndTime: timeField,
    scheduleNote: notesText(500, 'Schedule note must be 500 characters or fewer'),
    usualVenueId: optionalId,
    cost: z.enum(['free', 'charged'], { error: 'Select whether the activity is free' }),
    costAmount: z
      .string()
      .optional()
      .transform((value) => value?.trim().replace(/^\u00a3/, '') ?? ''),
    costNote: notesText(300, 'Cost note must be 300 characters or fewer'),
    howToRefer: requiredText('Enter how a link worker refers someone', 2000, 'How to refer must be 2,000 characters or fewer', { multiline: true }),
    referralEmail: optionalEmail('Enter a referral email address in the correct format, like learning@example.org'),
    referralPhone: optionalPhone('Enter a UK phone number for referrals, like 01865 123456'),
    minAge: optionalWholeNumber({
      invalid: 'Youngest age must be a whole number, like 18',
      min: [0, 'Youngest age must be 0 or more'],
      max: [120, 'Youngest age must be 120 or less'],
    }),
    maxAge: optionalWholeNumber({
      invalid: 'Oldest age must be a whole number, like 99',
      min: [0, 'Oldest age must be 0 or more'],
      max: [120, 'Oldest age must be 120 or less'],
    }),
    volunteeringRequirements: optionalText(2000, 'What the placement needs must be 2,000 characters or fewer', { multiline: true }),
  })
  .superRefine((form, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (form.scheduleFrequency !== 'none') {
      if (form.scheduleDays.length === 0) issue('scheduleDays', 'Select the day or days the activity runs');
      if (form.scheduleFrequency === 'monthly' && form.scheduleWeekOfMonth === null)
        issue('scheduleWeekOfMonth', 'Select which week of the month the activity runs');
    }
    const start = form.scheduleStartTime ? parseTime(form.scheduleStartTime) : null;
    const end = form.scheduleEndTime ? parseTime(form.scheduleEndTime) : null;
    if (form.scheduleStartTime && !start) issue('scheduleStartTime', 'Enter the usual start time, like 14:00 or 2pm');
    if (form.scheduleEndTime && !end) issue('scheduleEndTime', 'Enter the usual end time, like 15:30 or 3:30pm');
    if (start && !form.scheduleEndTime) issue('scheduleEndTime', 'Enter the usual end time, or leave both times blank');
    if (end && !form.scheduleStartTime) issue('scheduleStartTime', 'Enter the usual start time, or leave both times blank');
    if (start && end && end <= start) issue('scheduleEndTime', 'The usual end time must be after the start time');
    if (form.cost === 'charged') {
      if (form.costAmount && !/^\d{1,5}(\.\d{1,2})?$/.test(form.costAmount)) issue('costAmount', 'Enter the cost in pounds, like 3.50');
      if (!form.costAmount && !form.costNote) issue('costAmount', 'Enter the cost, or describe it in the cost note');
    }
    if (form.minAge !== null && form.maxAge !== null && form.minAge > form.maxAge)
      issue('maxAge', 'Oldest age must be the same as or more than the youngest age');
    if (form.category === 'volunteering' && !form.volunteeringRequirements) {
      issue('volunteeringRequirements', 'Enter what the volunteering placement needs, such as an induction, time commitment or checks');
    }
  })
  .transform((form) => {
    const regular = form.scheduleFrequency !== 'none';
    const start = form.scheduleStartTime ? parseTime(form.scheduleStartTime) : null;
    const end = form.scheduleEndTime ? parseTime(form.scheduleEndTime) : null;
    const charged = form.cost === 'charged';
    return {
      title: form.title,
      category: form.category as OfferCategory,
      description: form.description,
      suits: form.suits,
      scheduleFrequency: regular ? (form.scheduleFrequency as ScheduleFrequency) : null,
      scheduleDays: regular ? form.scheduleDays : [],
      scheduleWeekOfMonth: form.scheduleFrequency === 'monthly' ? form.scheduleWeekOfMonth : null,
      scheduleStartTime: start,
      scheduleEndTime: end,
      scheduleNote: form.scheduleNote,
      usualVenueId: form.usualVenueId,
      isFree: !charged,
      costAmount: charged && form.costAmount ? form.costAmount : null,
      costNote: form.costNote,
      howToRefer: form.howToRefer,
      referralEmail: form.referralEmail,
      referralPhone: form.referralPhone,
      minAge: form.minAge,
      maxAge: form.maxAge,
      // Only a volunteering offer states placement requirements; anything else would be misleading.
      volunteeringRequirements: form.category === 'volunteering' ? form.volunteeringRequirements : null,
    };
  });

export type OfferInput = z.output<typeof offerForm>;
